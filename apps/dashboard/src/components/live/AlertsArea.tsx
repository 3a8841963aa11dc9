import type { LiveAlert } from '../../lib/live/alerts.ts';

/** Polite live region: screen readers hear new alerts without being interrupted. */
export function AlertsArea({ alerts }: { alerts: LiveAlert[] }) {
  return (
    <section className="live-alerts" aria-labelledby="live-alerts-title">
      <h2 id="live-alerts-title" className="visually-hidden">
        Alerts
      </h2>
      <div role="status" aria-live="polite">
        {alerts.length === 0 ? (
          <p className="muted small live-alerts-empty">No alerts right now.</p>
        ) : (
          <ul className="live-alert-list">
            {alerts.map((a) => (
              <li key={a.id} data-testid="alert" data-kind={a.kind} data-participant-id={a.participantId ?? ''} className={`live-alert ${a.kind}`}>
                {a.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
