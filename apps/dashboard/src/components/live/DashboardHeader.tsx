import type { ReactNode } from 'react';
import { facilitatorPath } from '@moodroom/shared';
import type { ConnectionStatus } from '../../lib/live/connection-errors.ts';

const STATUS_TEXT: Record<ConnectionStatus['state'], string> = { connecting: 'connecting…', live: 'live', error: 'not connected' };

interface Props {
  sessionId: string;
  title: string | null;
  token: string | null;
  status: ConnectionStatus;
  analyzer: ReactNode;
}

export function DashboardHeader({ sessionId, title, token, status, analyzer }: Props) {
  return (
    <header className="live-header">
      <div className="live-title-row">
        <div className="grow">
          <h1 className="live-title">{title ?? 'Live dashboard'}</h1>
          <p className="muted small live-subtitle">
            Live mood estimates from facial expressions, for consenting participants only. They are estimates, not facts about how anyone feels.
          </p>
        </div>
        <p className={`status-pill live-pill ${status.state}`} aria-live="polite">
          <span className="live-dot" aria-hidden="true" />
          {STATUS_TEXT[status.state]}
        </p>
        {token && status.state !== 'error' && (
          <a className="button" href={facilitatorPath(sessionId, token, 'report')}>
            Open the report
          </a>
        )}
      </div>
      {analyzer}
      <p className="muted small live-invite-hint">
        To invite people, share the <strong>participant invite link</strong> you got when you created this session — never this dashboard link, which carries your facilitator key.
      </p>
    </header>
  );
}
