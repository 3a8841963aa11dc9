import type { AnalyzerStatus } from '@moodroom/shared';
import { summarizeAnalyzer } from '../../lib/live/format.ts';

export function AnalyzerStatusView({ status }: { status: AnalyzerStatus | null }) {
  if (!status) {
    return (
      <p className="analyzer-status muted small" data-testid="analyzer-status" data-load="">
        Analyzer status: waiting for the first report…
      </p>
    );
  }
  const s = summarizeAnalyzer(status);
  return (
    <dl className={`analyzer-status small${status.overloaded ? ' overloaded' : ''}`} data-testid="analyzer-status" data-load={status.loadLevel}>
      <div>
        <dt>Analysis rate</dt>
        <dd>{s.effectiveFps.toFixed(1)} fps</dd>
      </div>
      <div>
        <dt>Per person (measured)</dt>
        <dd>{s.perPersonFps === null ? '–' : `${s.perPersonFps.toFixed(1)} fps`}</dd>
      </div>
      <div>
        <dt>Latency p50</dt>
        <dd>{s.latencyP50Ms === null ? '–' : `${Math.round(s.latencyP50Ms)} ms`}</dd>
      </div>
      <div>
        <dt>Load</dt>
        <dd>{s.load}</dd>
      </div>
    </dl>
  );
}
