import { EMOTIONS } from '@moodroom/shared';
import { EMOTION_COLOURS, emotionLabel } from '../lib/emotion-colours.ts';

/**
 * Colour key for the emotion charts of the live dashboard and the report; labels are text, so the
 * charts never rely on colour alone. Each page styles it through its own class.
 */
export function EmotionLegend({ className, swatchClassName, label }: { className: string; swatchClassName: string; label: string }) {
  return (
    <ul className={className} aria-label={label}>
      {EMOTIONS.map((e) => (
        <li key={e}>
          <span className={swatchClassName} style={{ background: EMOTION_COLOURS[e] }} aria-hidden="true" />
          {emotionLabel(e)}
        </li>
      ))}
    </ul>
  );
}
