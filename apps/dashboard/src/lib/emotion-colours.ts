import type { Emotion } from '@moodroom/shared';

/**
 * One colour per emotion, shared by the live dashboard and the report so a colour means the same
 * thing everywhere. Every value has a relative luminance between ~0.13 and ~0.30, which keeps it at
 * ≥ 3:1 contrast (WCAG non-text minimum) both against the dark theme (#0f172a / #111c33) and
 * against white paper when printed. Hues are spread so neighbouring bands stay distinguishable;
 * charts should still pair colour with a text label, never rely on colour alone.
 */
export const EMOTION_COLOURS: Readonly<Record<Emotion, string>> = {
  happy: '#d97706',
  sad: '#6366f1',
  neutral: '#8793a8',
  angry: '#e5484d',
  surprise: '#a855f7',
  disgust: '#16a34a',
  fear: '#0891b2',
};

const LABELS: Readonly<Record<Emotion, string>> = {
  happy: 'Happy',
  sad: 'Sad',
  neutral: 'Neutral',
  angry: 'Angry',
  surprise: 'Surprised',
  disgust: 'Disgusted',
  fear: 'Fearful',
};

/** Human label for an emotion, for legends, bars and screen-reader text. */
export function emotionLabel(emotion: Emotion): string {
  return LABELS[emotion];
}
