'use client';

import { useId } from 'react';
import type { MoodPoint } from '@moodroom/shared';
import { EMOTION_COLOURS, emotionLabel } from '../../lib/emotion-colours.ts';
import { frameFor, linePath, stackedAreaPaths, timeTicks } from '../../lib/report/chart.ts';

const W = 720;
const H = 160;
const M = { left: 44, right: 8, top: 8, bottom: 26 };

/**
 * Stacked estimate shares over time as inline SVG (crisp in print, no canvas). Empty buckets stay
 * empty: no face, no estimate. An optional valence line shows the rough positive ↔ negative trend.
 */
export function StackedChart({ points, title, description, showValence = false }: { points: readonly MoodPoint[]; title: string; description: string; showValence?: boolean }) {
  const id = useId();
  const frame = frameFor(points, W, H);
  if (!frame) return <p className="muted">No estimates over time to show.</p>;
  const areas = stackedAreaPaths(points, frame);
  const ticks = timeTicks(frame);
  const valence = showValence ? linePath(points, frame, (p) => p.valence, -1, 1) : '';
  return (
    <figure className="report-chart">
      <svg viewBox={`0 0 ${W + M.left + M.right} ${H + M.top + M.bottom}`} role="img" aria-labelledby={`${id}-t ${id}-d`} preserveAspectRatio="xMidYMid meet">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        <g transform={`translate(${M.left},${M.top})`}>
          <rect className="chart-bg" x={0} y={0} width={W} height={H} />
          {areas.map((a) => (
            <path key={a.emotion} d={a.d} fill={EMOTION_COLOURS[a.emotion]}>
              <title>{emotionLabel(a.emotion)}</title>
            </path>
          ))}
          {valence && <path className="chart-valence" d={valence} fill="none" />}
          {[0, 0.5, 1].map((v) => (
            <g key={v}>
              <line className="chart-grid" x1={0} x2={W} y1={H - v * H} y2={H - v * H} />
              <text className="chart-label" x={-6} y={H - v * H} textAnchor="end" dominantBaseline="middle">
                {Math.round(v * 100)}%
              </text>
            </g>
          ))}
          {ticks.map((t) => (
            <g key={t.label}>
              <line className="chart-axis" x1={t.x} x2={t.x} y1={H} y2={H + 4} />
              <text className="chart-label" x={t.x} y={H + 17} textAnchor={t.x === 0 ? 'start' : 'middle'}>
                {t.label}
              </text>
            </g>
          ))}
          <line className="chart-axis" x1={0} x2={W} y1={H} y2={H} />
        </g>
      </svg>
      <figcaption className="muted small">
        Time since the first estimate (min:s). {showValence ? 'The line is the rough positive ↔ negative estimate. ' : ''}Blank stretches: no face visible or not analysed.
      </figcaption>
    </figure>
  );
}
