import type { RoomMood } from '@moodroom/shared';
import { emotionLabel } from '../../lib/emotion-colours.ts';
import { HISTORY_MS, ROOM_POINT_MIN_GAP_MS } from '../../lib/live/constants.ts';
import { percent, signed, valenceWords } from '../../lib/live/format.ts';
import type { FrameScheduler } from '../../lib/live/frame-scheduler.ts';
import type { TimelineSourceLike } from '../../lib/live/sources.ts';
import { TimelineChart } from './TimelineChart.tsx';

interface Props {
  mood: RoomMood | null;
  points: number;
  source: TimelineSourceLike;
  scheduler: FrameScheduler;
}

export function RoomMoodCard({ mood, points, source, scheduler }: Props) {
  return (
    <section className="card room-mood" data-testid="room-mood" data-points={points} data-dominant={mood?.dominant ?? ''} aria-labelledby="room-mood-title">
      <div className="room-mood-head">
        <h2 id="room-mood-title">Room mood</h2>
        {mood ? (
          <p className="room-mood-now">
            <span>
              Mostly <strong>{emotionLabel(mood.dominant).toLowerCase()}</strong> ({percent(mood.probs[mood.dominant])}, estimate)
            </span>
            <span>
              Valence <strong>{signed(mood.valence)}</strong> — {valenceWords(mood.valence)} (estimate, −1 unpleasant … +1 pleasant)
            </span>
            <span className="muted">
              from {mood.faces} visible {mood.faces === 1 ? 'face' : 'faces'}
            </span>
          </p>
        ) : (
          <p className="room-mood-now muted">No face visible right now, so there is no estimate.</p>
        )}
      </div>
      <TimelineChart
        chartKey="room"
        source={source}
        scheduler={scheduler}
        height={220}
        windowMs={HISTORY_MS}
        // Its points are ≥ ROOM_POINT_MIN_GAP_MS apart; redrawing the widest canvas for every one of
        // 16 people's samples cost most of the page's paint time (benchmark).
        minRedrawMs={ROOM_POINT_MIN_GAP_MS}
        label="Room mood over the last 5 minutes: mean estimated probability of each emotion over the visible faces; gaps where no face was visible."
      />
    </section>
  );
}
