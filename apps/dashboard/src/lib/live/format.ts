import type { AnalyzerStatus } from '@moodroom/shared';

/** Display helpers: every number the dashboard shows is an estimate and says so next to it. */

export const percent = (p: number) => `${Math.round(p * 100)} %`;

export function signed(v: number, digits = 2): string {
  const s = v.toFixed(digits);
  return v > 0 ? `+${s}` : s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s;
}

export function valenceWords(v: number): string {
  if (v >= 0.25) return 'pleasant';
  if (v >= 0.05) return 'slightly pleasant';
  if (v > -0.05) return 'neutral';
  if (v > -0.25) return 'slightly unpleasant';
  return 'unpleasant';
}

export interface AnalyzerSummary {
  effectiveFps: number;
  /** Mean analysed frames/s over the people being analysed (null: nobody). */
  perPersonFps: number | null;
  /** Median of the per-person latency p50s, ms (null: no estimate yet). */
  latencyP50Ms: number | null;
  load: string;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarizeAnalyzer(s: AnalyzerStatus): AnalyzerSummary {
  const fps = s.participants.map((p) => p.analysedFps);
  const latencies = s.participants.flatMap((p) => (p.latencyP50Ms === null ? [] : [p.latencyP50Ms]));
  return {
    effectiveFps: s.effectiveFps,
    perPersonFps: fps.length ? fps.reduce((a, b) => a + b, 0) / fps.length : null,
    latencyP50Ms: median(latencies),
    load: s.overloaded ? `overloaded (level ${s.loadLevel})` : s.loadLevel > 0 ? `reduced (level ${s.loadLevel})` : 'normal',
  };
}
