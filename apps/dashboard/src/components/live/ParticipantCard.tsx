import { memo } from 'react';
import type { Emotion } from '@moodroom/shared';
import { emotionLabel, EMOTION_COLOURS } from '../../lib/emotion-colours.ts';
import { CONSENT_LABELS, type ConsentState } from '../../lib/live/consent.ts';
import { HISTORY_MS } from '../../lib/live/constants.ts';
import { percent } from '../../lib/live/format.ts';
import type { FrameScheduler } from '../../lib/live/frame-scheduler.ts';
import type { TimelineSourceLike } from '../../lib/live/sources.ts';
import { TimelineChart } from './TimelineChart.tsx';

export interface ParticipantCardProps {
  participantId: string;
  name: string;
  consent: ConsentState;
  left: boolean;
  face: boolean;
  dominant: Emotion | null;
  dominantProb: number | null;
  points: number;
  lastT: number | null;
  source: TimelineSourceLike;
  scheduler: FrameScheduler;
}

const CARD_MIN_REDRAW_MS = 1000;

const NO_ANALYSIS: Record<Exclude<ConsentState, 'on'>, string> = {
  declined: 'No analysis — this participant did not consent.',
  withdrawn: 'No analysis — this participant did not consent (they withdrew consent during the call; earlier estimates are hidden).',
};

/** Memoised on primitives: a card re-renders only when what it shows changed. */
export const ParticipantCard = memo(function ParticipantCard(p: ParticipantCardProps) {
  const titleId = `participant-${p.participantId}`;
  const analysed = p.consent === 'on';
  return (
    <article
      className={`card participant-card${p.left ? ' left' : ''}`}
      aria-labelledby={titleId}
      data-testid="participant-card"
      data-participant-id={p.participantId}
      data-display-name={p.name}
      data-consent={String(analysed)}
      data-face={String(p.face)}
      data-points={p.points}
      data-dominant={p.dominant ?? ''}
      data-last-t={p.lastT ?? ''}
      data-left={String(p.left)}
    >
      <header className="participant-head">
        <h3 id={titleId} className="participant-name">
          {p.name}
        </h3>
        <span className={`consent-badge ${p.consent}`}>{CONSENT_LABELS[p.consent]}</span>
        {p.left && <span className="left-badge">left</span>}
      </header>
      {p.consent === 'on' ? (
        <>
          <p className="participant-now">
            <span className={`face-indicator${p.face ? ' on' : ''}`}>
              <span className="face-dot" aria-hidden="true" />
              {p.face ? 'face visible' : 'no face visible'}
            </span>
            {p.dominant && p.dominantProb !== null && p.face ? (
              <span>
                <span className="emotion-swatch" style={{ background: EMOTION_COLOURS[p.dominant] }} aria-hidden="true" />
                Looks <strong>{emotionLabel(p.dominant).toLowerCase()}</strong> ({percent(p.dominantProb)}, estimate)
              </span>
            ) : (
              <span className="muted">no current estimate</span>
            )}
          </p>
          <TimelineChart
            chartKey={`p:${p.participantId}`}
            source={p.source}
            scheduler={p.scheduler}
            height={80}
            windowMs={HISTORY_MS}
            compact
            // 5 minutes over a card's ~300 px is about 1 s per pixel: redrawing more often shows
            // nothing new, and at 5 samples/s × 16 people it saturated the main thread (benchmark).
            minRedrawMs={CARD_MIN_REDRAW_MS}
            label={`${p.name}: estimated emotion probabilities over the last 5 minutes`}
          />
        </>
      ) : (
        <p className="no-analysis muted">{NO_ANALYSIS[p.consent]}</p>
      )}
    </article>
  );
});
