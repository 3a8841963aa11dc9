import { EMOTIONS, type EmotionSample } from '@moodroom/shared';
import type { RingBuffer } from './ring-buffer.ts';
import type { RoomMoodPoint } from './store.ts';

/**
 * Columnar series for uPlot ([x, ...one column per EMOTIONS entry], x in seconds). A window
 * without a face is null in every column, so the chart draws a gap, never a made-up value.
 */
export type TimelineData = [number[], ...(number | null)[][]];

function emptyColumns(n: number): TimelineData {
  return [new Array<number>(n), ...EMOTIONS.map(() => new Array<number | null>(n))] as TimelineData;
}

export function participantTimeline(samples: Pick<RingBuffer<EmotionSample>, 'size' | 'at'>): TimelineData {
  const n = samples.size;
  const data = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    const s = samples.at(i)!;
    data[0][i] = s.t / 1000;
    for (let e = 0; e < EMOTIONS.length; e++) data[e + 1]![i] = s.probs ? s.probs[EMOTIONS[e]!] : null;
  }
  return data;
}

export function roomTimeline(points: Pick<RingBuffer<RoomMoodPoint>, 'size' | 'at'>): TimelineData {
  const n = points.size;
  const data = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    const p = points.at(i)!;
    data[0][i] = p.t / 1000;
    for (let e = 0; e < EMOTIONS.length; e++) data[e + 1]![i] = p.mood ? p.mood.probs[EMOTIONS[e]!] : null;
  }
  return data;
}
