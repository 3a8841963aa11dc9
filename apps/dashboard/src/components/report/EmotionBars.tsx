import type { Emotion } from '@moodroom/shared';
import { EMOTION_COLOURS } from '../../lib/emotion-colours.ts';
import { describeDistribution, distributionRows } from '../../lib/report/distribution.ts';

/** Horizontal bars of how often each expression was the most likely estimate, with the numbers as text. */
export function EmotionBars({ shares, caption }: { shares: Readonly<Record<Emotion, number>>; caption: string }) {
  const rows = distributionRows(shares);
  return (
    <figure className="report-bars">
      <figcaption className="small muted">{caption}</figcaption>
      <p className="visually-hidden">{describeDistribution(shares)}</p>
      <ul aria-hidden="true">
        {rows.map((r) => (
          <li key={r.emotion}>
            <span className="bar-label">{r.label}</span>
            <span className="bar-track">
              <span className="bar-fill" style={{ width: `${Math.max(0, Math.min(1, r.share)) * 100}%`, background: EMOTION_COLOURS[r.emotion] }} />
            </span>
            <span className="bar-value">{r.percent}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
