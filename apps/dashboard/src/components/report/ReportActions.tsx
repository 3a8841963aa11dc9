'use client';

import { useState } from 'react';
import { exportFileName, sessionApiUrl, type ExportKind } from '../../lib/report/api.ts';

type DeleteStep = 'idle' | 'confirming' | 'deleting';

/** Exports, printing and erasure. Downloads go through fetch (the key must travel in a header, never a URL). */
export function ReportActions({ analyzerUrl, sessionId, token, onDeleted }: { analyzerUrl: string; sessionId: string; token: string; onDeleted: () => void }) {
  const [busy, setBusy] = useState<ExportKind | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [step, setStep] = useState<DeleteStep>('idle');
  const auth = { Authorization: `Bearer ${token}` };

  async function download(kind: ExportKind) {
    setBusy(kind);
    setMessage(null);
    try {
      const res = await fetch(sessionApiUrl(analyzerUrl, sessionId, kind === 'csv' ? '/samples.csv' : '/samples.json'), { headers: auth });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = exportFileName(sessionId, kind);
      document.body.append(a);
      a.click();
      a.remove();
      // Revoked on the next tick: some browsers read the URL only after click() returns.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      setMessage(`Downloaded ${a.download}.`);
    } catch (err) {
      setMessage(`The ${kind.toUpperCase()} export failed (${err instanceof Error ? err.message : 'network error'}). Try again.`);
    } finally {
      setBusy(null);
    }
  }

  async function erase() {
    setStep('deleting');
    setMessage(null);
    try {
      const res = await fetch(sessionApiUrl(analyzerUrl, sessionId), { method: 'DELETE', headers: auth });
      const body: unknown = res.ok ? await res.json().catch(() => null) : null;
      if (!res.ok || (body as { deleted?: unknown } | null)?.deleted !== true) throw new Error(`HTTP ${res.status}`);
      onDeleted();
    } catch (err) {
      setStep('confirming');
      setMessage(`Deleting failed (${err instanceof Error ? err.message : 'network error'}); nothing was confirmed as deleted. Try again.`);
    }
  }

  return (
    <section className="report-actions" aria-label="Export and delete">
      <div className="row">
        <button type="button" className="button" onClick={() => void download('csv')} disabled={busy !== null}>
          {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
        </button>
        <button type="button" className="button" onClick={() => void download('json')} disabled={busy !== null}>
          {busy === 'json' ? 'Exporting…' : 'Export JSON'}
        </button>
        <button type="button" className="button" onClick={() => window.print()}>
          Print / Save as PDF
        </button>
        {step === 'idle' && (
          <button type="button" className="button danger" onClick={() => setStep('confirming')}>
            Delete session data
          </button>
        )}
      </div>
      {step !== 'idle' && (
        <div className="notice error" role="group" aria-labelledby="delete-confirm-title">
          <p id="delete-confirm-title">
            <strong>Delete this session for good?</strong> Every estimate, the roster and the session itself are erased for everyone. Exports you downloaded are not affected. This cannot be undone.
          </p>
          <div className="row">
            <button type="button" className="button danger" onClick={() => void erase()} disabled={step === 'deleting'}>
              {step === 'deleting' ? 'Deleting…' : 'Delete everything'}
            </button>
            <button type="button" className="button" onClick={() => setStep('idle')} disabled={step === 'deleting'} autoFocus>
              Cancel
            </button>
          </div>
        </div>
      )}
      <p className="small muted" role="status" aria-live="polite">
        {message}
      </p>
    </section>
  );
}
