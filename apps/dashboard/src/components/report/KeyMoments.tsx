import { formatShare, type KeyMoment, type ParticipantReport } from '@moodroom/shared';
import { emotionLabel } from '../../lib/emotion-colours.ts';
import { describeValenceChange, formatClock } from '../../lib/report/format.ts';

export function KeyMoments({ moments, participants, from }: { moments: readonly KeyMoment[]; participants: readonly ParticipantReport[]; from: number }) {
  if (moments.length === 0) return <p className="muted">No large shifts in the estimates were found.</p>;
  const nameOf = (id: string | null) => (id === null ? 'The room' : participants.find((p) => p.participantId === id)?.displayName ?? 'Someone');
  return (
    <ol className="report-moments">
      {moments.map((m) => (
        <li key={`${m.participantId ?? 'room'}-${m.t}`}>
          <span className="moment-time">{formatClock(m.t - from)}</span>
          <span>
            <strong>{nameOf(m.participantId)}</strong>: {emotionLabel(m.from)} → {emotionLabel(m.to)}
            <span className="muted small">
              {' '}
              (shift of {formatShare(m.magnitude)}, {describeValenceChange(m.valenceChange)})
            </span>
          </span>
        </li>
      ))}
    </ol>
  );
}
