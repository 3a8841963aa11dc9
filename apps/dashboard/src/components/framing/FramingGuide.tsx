'use client';

import { useLayoutEffect, useRef, useState } from 'react';
import { boxInView, type Size } from '../../lib/framing/overlay.ts';
import { SHORT_LABELS } from '../../lib/framing/hints.ts';
import { useFraming, type FramingState } from './use-framing.ts';

export const UNAVAILABLE_TEXT = 'Camera check unavailable in this browser';

function status(state: FramingState): string {
  return state.kind === 'ready' ? state.framing.status : state.kind;
}

/** Timing of the check, for tests and debugging (no effect on the page). */
function timing(state: FramingState) {
  return state.kind === 'ready' ? { 'data-detect-ms': state.detectMs.toFixed(1), 'data-load-ms': state.loadMs.toFixed(0), 'data-delegate': state.delegate } : {};
}

/**
 * The lobby's framing guide: drawn over the (mirrored, object-fit: cover) camera preview, a box
 * around the face and one short hint. It only advises; joining never waits for it.
 */
export function FramingGuide({ stream }: { stream: MediaStream }) {
  const state = useFraming(stream);
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<Size | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setView({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const box = state.kind === 'ready' && state.framing.box && view ? boxInView(state.framing.box, state.frame, view, true) : null;
  const text = state.kind === 'ready' ? state.framing.hint : state.kind === 'loading' ? 'Checking your camera…' : UNAVAILABLE_TEXT;
  return (
    <div ref={ref} className="framing-guide" data-testid="framing-guide" data-status={status(state)} {...timing(state)}>
      {box && (
        <div
          className={`framing-box ${status(state) === 'ok' ? 'ok' : ''}`}
          aria-hidden="true"
          style={{ left: `${box.left}%`, top: `${box.top}%`, width: `${box.width}%`, height: `${box.height}%` }}
        />
      )}
      <p className={`framing-hint ${status(state)}`} role="status" aria-live="polite" data-testid="framing-hint">
        {text}
      </p>
    </div>
  );
}

/** The call's self-view badge: the same check, in a few words (the full hint as its tooltip). */
export function FramingBadge({ stream }: { stream: MediaStream }) {
  const state = useFraming(stream);
  if (state.kind !== 'ready') {
    // Nothing to say yet (or the browser can't run it): keep the tile clean, the status for tests.
    return <span hidden data-testid="framing-badge" data-status={status(state)} />;
  }
  const { framing } = state;
  return (
    <span className={`framing-badge ${framing.status === 'ok' ? 'ok' : ''}`} data-testid="framing-badge" data-status={framing.status} title={framing.hint} {...timing(state)}>
      {SHORT_LABELS[framing.status]}
    </span>
  );
}
