'use client';

import { useState, type FormEvent } from 'react';
import {
  createSessionViaApi,
  DEFAULT_RETENTION_DAYS,
  facilitatorPath,
  invitePath,
  MAX_SESSION_TITLE,
  SessionApiError,
  type CreateSessionResponse,
} from '@moodroom/shared';
import { resolveAnalyzerUrl } from '../lib/service-url.ts';

type Status = { kind: 'idle' } | { kind: 'creating' } | { kind: 'created'; links: { dashboard: string; report: string; invite: string }; title: string; analysis: boolean } | { kind: 'error'; message: string };

const RETENTION_CHOICES = [1, 7, 30, 90] as const;

/**
 * A facilitator starts here: the session's title, whether anyone is analysed, why, and for how long
 * estimates are kept. The analyzer (which owns the data) creates it and signs two links.
 */
export function CreateSessionForm({ configuredAnalyzerUrl }: { configuredAnalyzerUrl: string | null }) {
  const [title, setTitle] = useState('');
  const [purpose, setPurpose] = useState('');
  const [analysisEnabled, setAnalysisEnabled] = useState(true);
  const [retentionDays, setRetentionDays] = useState<number>(DEFAULT_RETENTION_DAYS);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!title.trim()) {
      setStatus({ kind: 'error', message: 'Give the session a title: participants see it before they join.' });
      return;
    }
    setStatus({ kind: 'creating' });
    const analyzerUrl = resolveAnalyzerUrl(configuredAnalyzerUrl, window.location);
    try {
      const created: CreateSessionResponse = await createSessionViaApi(analyzerUrl, { title, purpose, analysisEnabled, retentionDays });
      const origin = window.location.origin;
      const id = created.session.sessionId;
      setStatus({
        kind: 'created',
        title: created.session.title,
        analysis: created.session.analysisEnabled,
        links: {
          dashboard: origin + facilitatorPath(id, created.facilitatorToken, 'dashboard'),
          report: origin + facilitatorPath(id, created.facilitatorToken, 'report'),
          invite: origin + invitePath(id, created.participantToken),
        },
      });
    } catch (error) {
      if (error instanceof SessionApiError) {
        setStatus({ kind: 'error', message: `Could not create the session: ${error.message}.` });
        return;
      }
      setStatus({
        kind: 'error',
        message: `Can't reach the analyzer at ${analyzerUrl}. Check that it is running (npm start at the repository root); operators set its address with ANALYZER_PUBLIC_URL and allow this page's origin with ANALYZER_DASHBOARD_ORIGIN.`,
      });
    }
  }

  if (status.kind === 'created') {
    return (
      <div className="stack" data-testid="session-created">
        <p role="status">
          <strong>“{status.title}”</strong> is ready{status.analysis ? '' : ' (emotion analysis off)'}. Keep the facilitator link to yourself: it
          opens the dashboard and the report.
        </p>
        <CopyField label="Facilitator link (private)" value={status.links.dashboard} testId="facilitator-link" />
        <CopyField label="Invite link for participants" value={status.links.invite} testId="invite-link" />
        <div className="row">
          <a className="button primary" href={status.links.dashboard}>
            Open the live dashboard
          </a>
          <a className="button" href={status.links.invite} target="_blank" rel="noreferrer">
            Join the call yourself
          </a>
        </div>
      </div>
    );
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <label htmlFor="session-title">Title</label>
      <input id="session-title" value={title} maxLength={MAX_SESSION_TITLE} onChange={(e) => setTitle(e.target.value)} placeholder="Sprint retrospective" required />
      <label htmlFor="session-purpose">What the estimates are for (shown to participants)</label>
      <input id="session-purpose" value={purpose} maxLength={280} onChange={(e) => setPurpose(e.target.value)} placeholder="To see how the retro felt, in aggregate" />
      <div className="consent">
        <input id="session-analysis" type="checkbox" checked={analysisEnabled} onChange={(e) => setAnalysisEnabled(e.target.checked)} aria-describedby="session-analysis-help" />
        <label htmlFor="session-analysis">Offer emotion analysis to participants</label>
      </div>
      <p id="session-analysis-help" className="muted small">
        Each participant decides for themselves before joining and can stop at any time. Emotion recognition is restricted in some settings (the EU
        AI Act prohibits it in workplaces and education, with narrow exceptions): only offer it where it is lawful and wanted.
      </p>
      <label htmlFor="session-retention">Keep the estimates for</label>
      <select id="session-retention" value={retentionDays} onChange={(e) => setRetentionDays(Number(e.target.value))}>
        {RETENTION_CHOICES.map((d) => (
          <option key={d} value={d}>
            {d} {d === 1 ? 'day' : 'days'} after the session
          </option>
        ))}
      </select>
      {status.kind === 'error' && (
        <p className="notice error" role="alert" data-testid="create-session-error">
          {status.message}
        </p>
      )}
      <button type="submit" className="button primary" disabled={status.kind === 'creating'}>
        {status.kind === 'creating' ? 'Creating…' : 'Create session'}
      </button>
    </form>
  );
}

function CopyField({ label, value, testId }: { label: string; value: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  const id = `${testId}-field`;
  return (
    <div className="stack tight">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input id={id} readOnly value={value} data-testid={testId} onFocus={(e) => e.target.select()} />
        <button
          type="button"
          className="button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
