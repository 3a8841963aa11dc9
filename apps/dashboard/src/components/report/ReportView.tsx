'use client';

import { useEffect, useState } from 'react';
import { sessionReportSchema, tokenFromHash, type SessionReport } from '@moodroom/shared';
import { resolveAnalyzerUrl } from '../../lib/service-url.ts';
import { describeReportFailure, MISSING_KEY_PROBLEM, sessionApiUrl, type ReportProblem } from '../../lib/report/api.ts';
import { ReportActions } from './ReportActions.tsx';
import { ReportBody } from './ReportBody.tsx';

type State =
  | { kind: 'loading' }
  | { kind: 'error'; problem: ReportProblem }
  | { kind: 'ready'; report: SessionReport; token: string; analyzerUrl: string }
  | { kind: 'deleted' };

/** Loads the report with the facilitator key from the URL fragment (never sent to the web server). */
export function ReportView({ sessionId, configuredAnalyzerUrl }: { sessionId: string; configuredAnalyzerUrl: string | null }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  // Pasting another key into the address bar only changes the fragment (no reload): load again.
  const [hashVersion, setHashVersion] = useState(0);
  useEffect(() => {
    const onHash = () => setHashVersion((v) => v + 1);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    setState({ kind: 'loading' });
    const token = tokenFromHash(window.location.hash, 'key');
    if (!token) {
      setState({ kind: 'error', problem: MISSING_KEY_PROBLEM });
      return;
    }
    const analyzerUrl = resolveAnalyzerUrl(configuredAnalyzerUrl, window.location);
    const abort = new AbortController();
    (async () => {
      let res: Response;
      try {
        res = await fetch(sessionApiUrl(analyzerUrl, sessionId, '/report'), { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal });
      } catch {
        if (!abort.signal.aborted) setState({ kind: 'error', problem: describeReportFailure(null, analyzerUrl) });
        return;
      }
      if (!res.ok) {
        setState({ kind: 'error', problem: describeReportFailure(res.status, analyzerUrl) });
        return;
      }
      const parsed = sessionReportSchema.safeParse(await res.json().catch(() => null));
      setState(
        parsed.success
          ? { kind: 'ready', report: parsed.data, token, analyzerUrl }
          : { kind: 'error', problem: { title: 'The report could not be read', body: 'The analyzer sent something that is not a report; it may be a different version than this web app. Update both, then reload.' } },
      );
    })();
    return () => abort.abort();
  }, [sessionId, configuredAnalyzerUrl, hashVersion]);

  return (
    <div className="report" data-testid="report" data-state={state.kind} data-total-samples={state.kind === 'ready' ? state.report.totalSamples : undefined}>
      {state.kind === 'loading' && (
        <p className="card narrow" role="status">
          Loading the report…
        </p>
      )}
      {state.kind === 'error' && (
        <div className="card narrow" role="alert">
          <h1>{state.problem.title}</h1>
          <p>{state.problem.body}</p>
        </div>
      )}
      {state.kind === 'deleted' && (
        <div className="card narrow" role="status">
          <h1>All data of this session was deleted.</h1>
          <p className="muted">The estimates, the roster and the session are gone; its links no longer work.</p>
          <a className="button primary" href="/">
            Back to the start page
          </a>
        </div>
      )}
      {state.kind === 'ready' && (
        <>
          <ReportBody report={state.report} />
          <ReportActions analyzerUrl={state.analyzerUrl} sessionId={sessionId} token={state.token} onDeleted={() => setState({ kind: 'deleted' })} />
        </>
      )}
    </div>
  );
}
