import { EMOTIONS } from './emotions.ts';
import type { EmotionSample } from './analytics.ts';

/**
 * One CSV format for emotion samples, used by every export (the recorded-video CLI, the
 * post-session report), so a file from one can be compared with a file from the other.
 * Emotion columns are probabilities (estimates), empty when no face was visible.
 */
export const SAMPLE_CSV_COLUMNS = [
  'session_id',
  'participant_id',
  't_ms',
  'window_start_ms',
  'face_present',
  'face_count',
  'quality',
  'dominant',
  'valence',
  ...EMOTIONS.map((e) => `p_${e}`),
  'model',
] as const;

function cell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(6)) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function sampleToCsvRow(s: EmotionSample): string {
  return [
    s.sessionId,
    s.participantId,
    s.t,
    s.windowStart,
    s.facePresent,
    s.faceCount,
    s.quality,
    s.dominant,
    s.valence,
    ...EMOTIONS.map((e) => (s.probs ? s.probs[e] : null)),
    s.model,
  ]
    .map(cell)
    .join(',');
}

export function samplesToCsv(samples: readonly EmotionSample[]): string {
  return [SAMPLE_CSV_COLUMNS.join(','), ...samples.map(sampleToCsvRow)].join('\n') + '\n';
}
