import { EMOTIONS, formatShare, type Emotion } from '@moodroom/shared';
import { emotionLabel } from '../emotion-colours.ts';

export interface DistributionRow {
  emotion: Emotion;
  label: string;
  share: number;
  percent: string;
}

/** Emotions by share, largest first (ties in EMOTIONS order), for bars that read top-down. */
export function distributionRows(shares: Readonly<Record<Emotion, number>>): DistributionRow[] {
  return EMOTIONS.map((emotion) => ({ emotion, label: emotionLabel(emotion), share: shares[emotion] ?? 0, percent: formatShare(shares[emotion] ?? 0) }))
    .sort((a, b) => b.share - a.share || EMOTIONS.indexOf(a.emotion) - EMOTIONS.indexOf(b.emotion));
}

/** One sentence for screen readers and print: "Mostly Happy (62%), then Neutral (30%) and Sad (8%)." */
export function describeDistribution(shares: Readonly<Record<Emotion, number>>): string {
  const rows = distributionRows(shares).filter((r) => r.share >= 0.005);
  if (rows.length === 0) return 'No estimate: no face was visible.';
  const [top, ...rest] = rows;
  const tail = rest.slice(0, 3).map((r) => `${r.label} (${r.percent})`);
  const then = tail.length === 0 ? '' : tail.length === 1 ? `, then ${tail[0]}` : `, then ${tail.slice(0, -1).join(', ')} and ${tail[tail.length - 1]}`;
  return `Mostly ${top!.label} (${top!.percent})${then}.`;
}
