import { formatDuration, type SessionReport } from '@moodroom/shared';
import { formatDateTime } from '../../lib/report/format.ts';
import { EmotionLegend } from '../EmotionLegend.tsx';
import { KeyMoments } from './KeyMoments.tsx';
import { ParticipantSection } from './ParticipantSection.tsx';
import { StackedChart } from './StackedChart.tsx';

export function ReportBody({ report }: { report: SessionReport }) {
  const { session } = report;
  const analysed = report.participants.filter((p) => p.analysed).length;
  const hasData = report.totalSamples > 0 && report.from !== null && report.to !== null;
  return (
    <article className="report-body" aria-labelledby="report-title">
      <header className="report-header">
        <p className="muted small">Session report</p>
        <h1 id="report-title">{session.title}</h1>
        {session.purpose && <p className="lead">{session.purpose}</p>}
        <dl className="report-stats">
          <div><dt>Date</dt><dd>{formatDateTime(session.createdAt)}</dd></div>
          <div><dt>Analysed span</dt><dd>{hasData ? formatDuration(report.to! - report.from!) : '–'}</dd></div>
          <div><dt>Participants</dt><dd>{report.participants.length} ({analysed} analysed)</dd></div>
          <div><dt>Estimates</dt><dd>{report.totalSamples}</dd></div>
          <div><dt>Model</dt><dd>{report.models.length > 0 ? report.models.join(', ') : '–'}</dd></div>
        </dl>
      </header>

      <div className="notice report-disclaimer" role="note">
        <p>
          <strong>These are estimates, not facts.</strong> A facial-expression model guessed which expression was visible in each moment. Expressions are not feelings: people
          smile when uneasy and look neutral when moved. Use this to prompt a conversation, never to judge or rank anyone.
        </p>
      </div>

      {!hasData && (
        <div className="notice report-empty" role="status">
          <p>No estimates were recorded in this session, so there is nothing to chart. The notes below say why, where known.</p>
        </div>
      )}

      {hasData && (
        <section className="report-section" aria-labelledby="room-mood-title">
          <h2 id="room-mood-title">Room mood over time</h2>
          <p className="muted small">The mean of everyone&apos;s estimate with a visible face; each person counts once.</p>
          <StackedChart
            points={report.roomMood}
            title="Estimated room mood over time"
            description="Stacked shares of the seven estimated expressions, averaged over the participants with a visible face, with a rough positive to negative line."
            showValence
          />
          <EmotionLegend className="report-legend" swatchClassName="swatch" label="Colour key" />
        </section>
      )}

      {hasData && (
        <section className="report-section" aria-labelledby="moments-title">
          <h2 id="moments-title">Key moments</h2>
          <p className="muted small">The largest shifts in someone&apos;s estimate (10 s before vs. 10 s after), at most five.</p>
          <KeyMoments moments={report.keyMoments} participants={report.participants} from={report.from!} />
        </section>
      )}

      <section className="report-section" aria-labelledby="participants-title">
        <h2 id="participants-title">Participants</h2>
        {hasData && <EmotionLegend className="report-legend" swatchClassName="swatch" label="Colour key" />}
        <div className="report-participants">
          {report.participants.map((p) => (
            <ParticipantSection key={p.participantId} participant={p} />
          ))}
        </div>
      </section>

      <section className="report-section" aria-labelledby="quality-title">
        <h2 id="quality-title">Data quality</h2>
        {report.qualityNotes.length > 0 ? (
          <ul className="report-notes">
            {report.qualityNotes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : (
          <p className="muted">No quality issues were noted.</p>
        )}
        <p className="muted small">Report generated {formatDateTime(report.generatedAt)}.</p>
      </section>
    </article>
  );
}
