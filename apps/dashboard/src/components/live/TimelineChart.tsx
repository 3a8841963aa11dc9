'use client';

import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import { EMOTIONS } from '@moodroom/shared';
import { EMOTION_COLOURS, emotionLabel } from '../../lib/emotion-colours.ts';
import type { FrameScheduler } from '../../lib/live/frame-scheduler.ts';
import type { TimelineData } from '../../lib/live/series.ts';

export interface TimelineSource {
  /** Changes whenever getData() would return something different. */
  revision(): string | number;
  getData(): TimelineData;
  subscribe(listener: () => void): () => void;
}

interface Props {
  /** Key for the frame scheduler (one redraw per chart per frame). */
  chartKey: string;
  source: TimelineSource;
  scheduler: FrameScheduler;
  height: number;
  windowMs: number;
  /** Compact: no axes, legend or cursor (participant cards). */
  compact?: boolean;
  /** Text alternative for the chart. */
  label: string;
  /**
   * Redraw at most this often even when the data changes more often (a later change or the
   * next tick brings the chart up to date).
   */
  minRedrawMs?: number;
}

/**
 * The x axis follows the clock, so a chart whose data did not change still has to move now and
 * then. Only charts that have not been redrawn for this long do so on a tick: redrawing all 17
 * charts every second in one frame was the dashboard's only long task (benchmark, 16 people).
 */
const SCROLL_REDRAW_MS = 1500;

const AXIS = { stroke: '#9fb0cf', grid: { stroke: 'rgba(42, 58, 92, 0.7)', width: 1 }, ticks: { stroke: 'rgba(42, 58, 92, 0.7)', width: 1 } };

function chartOptions(width: number, height: number, windowMs: number, compact: boolean): uPlot.Options {
  const windowS = windowMs / 1000;
  return {
    width,
    height,
    // The x range follows the clock, not the data, so every chart scrolls in step and a silent
    // participant's line visibly stops instead of stretching.
    scales: { x: { time: true, range: () => { const now = Date.now() / 1000; return [now - windowS, now]; } }, y: { range: [0, 1] } },
    series: [
      {},
      ...EMOTIONS.map((e) => ({
        label: emotionLabel(e),
        stroke: EMOTION_COLOURS[e],
        width: compact ? 1.25 : 1.75,
        spanGaps: false,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${Math.round(v * 100)} %`),
      })),
    ],
    axes: compact
      ? [{ show: false }, { show: false }]
      : [
          { ...AXIS, space: 70 },
          { ...AXIS, size: 52, values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)} %`) },
        ],
    legend: { show: !compact },
    cursor: compact ? { show: false } : { drag: { x: false, y: false } },
  };
}

/**
 * A uPlot timeline of the 7 emotion probabilities. Created once; new data goes through setData on
 * the same instance, at most once per animation frame (the scheduler), and only when the source's
 * revision moved. uPlot touches the DOM, so it is imported on the client only.
 */
export function TimelineChart({ chartKey, source, scheduler, height, windowMs, compact = false, label, minRedrawMs = 0 }: Props) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let disposed = false;
    let chart: uPlot | null = null;
    let drawn: string | number = '';
    let drawnAt = 0;
    let unsubscribe = () => {};
    const resize = new ResizeObserver(() => {
      if (chart && el.clientWidth > 0) chart.setSize({ width: el.clientWidth, height });
    });
    const redraw = () => {
      if (!chart) return;
      const rev = source.revision();
      const now = performance.now();
      if (rev === drawn ? now - drawnAt < SCROLL_REDRAW_MS : now - drawnAt < minRedrawMs) return;
      drawn = rev;
      drawnAt = now;
      chart.setData(source.getData() as uPlot.AlignedData);
    };
    void import('uplot').then(({ default: UPlot }) => {
      if (disposed) return;
      drawn = source.revision();
      drawnAt = performance.now();
      chart = new UPlot(chartOptions(Math.max(el.clientWidth, 100), height, windowMs, compact), source.getData() as uPlot.AlignedData, el);
      resize.observe(el);
      unsubscribe = source.subscribe(() => scheduler.schedule(chartKey, redraw));
    });
    return () => {
      disposed = true;
      unsubscribe();
      scheduler.cancel(chartKey);
      resize.disconnect();
      chart?.destroy();
    };
  }, [chartKey, source, scheduler, height, windowMs, compact, minRedrawMs]);

  return <div ref={container} className={compact ? 'timeline compact' : 'timeline'} role="img" aria-label={label} style={{ minHeight: height }} />;
}
