import { EMOTIONS } from '@moodroom/shared';
import { EMOTION_COLOURS, emotionLabel } from '../../lib/emotion-colours.ts';

/** Colour key for the stacked charts; labels are text so the charts never rely on colour alone. */
export function EmotionLegend() {
  return (
    <ul className="report-legend" aria-label="Colour key">
      {EMOTIONS.map((e) => (
        <li key={e}>
          <span className="swatch" style={{ background: EMOTION_COLOURS[e] }} aria-hidden="true" />
          {emotionLabel(e)}
        </li>
      ))}
    </ul>
  );
}
