import { NEGATIVE_EMOTIONS, type AnalyzerStatus, type EmotionProbs, type EmotionSample } from '@moodroom/shared';
import { FRESH_MS } from './constants.ts';
import type { RingBuffer } from './ring-buffer.ts';

/**
 * Gentle, self-clearing nudges for the facilitator, recomputed from the state and the clock (no
 * alert state of its own: an alert exists exactly while its condition holds).
 */

export interface AlertOptions {
  /** Negative affect must last this long before it is mentioned (a frown is not a mood). */
  negativeSustainMs: number;
  /** Sum of NEGATIVE_EMOTIONS probabilities that counts as negative affect. */
  negativeThreshold: number;
  noFaceMs: number;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = { negativeSustainMs: 20_000, negativeThreshold: 0.5, noFaceMs: 10_000 };

export type AlertKind = 'negative-affect' | 'no-face' | 'overloaded';

export interface LiveAlert {
  /** Stable while the condition lasts (React key, e2e). */
  id: string;
  kind: AlertKind;
  participantId: string | null;
  message: string;
}

export interface AlertParticipant {
  participantId: string;
  displayName: string;
  analysisConsent: boolean;
  leftAt: number | null;
  analysisSince: number | null;
  latest: EmotionSample | null;
  lastFaceAt: number | null;
  samples: Pick<RingBuffer<EmotionSample>, 'size' | 'at'>;
}

export interface AlertInput {
  participants: Iterable<AlertParticipant>;
  analyzer: AnalyzerStatus | null;
}

export function negativeAffect(probs: EmotionProbs): number {
  let sum = 0;
  for (const e of NEGATIVE_EMOTIONS) sum += probs[e];
  return sum;
}

/**
 * How long the participant's newest windows have all read as negative affect, ms (0: the newest
 * does not, or it is stale). A window without a face, or a gap in the windows, breaks the run.
 */
export function negativeRunMs(p: AlertParticipant, now: number, threshold: number): number {
  const latest = p.latest;
  if (!latest || now - latest.t > FRESH_MS) return 0;
  let start: number | null = null;
  for (let i = p.samples.size - 1; i >= 0; i--) {
    const s = p.samples.at(i)!;
    if (!s.probs || negativeAffect(s.probs) < threshold) break;
    // A hole in the data (dashboard offline, analysis paused) is not evidence either way.
    if (start !== null && start - s.t > FRESH_MS) break;
    start = s.t;
  }
  return start === null ? 0 : latest.t - start;
}

export const displayNameOf = (p: { displayName: string; participantId: string }) => p.displayName.trim() || `Participant ${p.participantId.slice(0, 6)}`;

export function computeAlerts(state: AlertInput, now: number, options: AlertOptions = DEFAULT_ALERT_OPTIONS): LiveAlert[] {
  const alerts: LiveAlert[] = [];
  let consentingPresent = 0;
  // Latest moment anyone consenting was seen (or started being watched): the no-face clock.
  let lastSeenOrWatched = Number.NEGATIVE_INFINITY;
  for (const p of state.participants) {
    if (p.leftAt !== null || !p.analysisConsent) continue;
    consentingPresent++;
    lastSeenOrWatched = Math.max(lastSeenOrWatched, p.lastFaceAt ?? Number.NEGATIVE_INFINITY, p.analysisSince ?? Number.NEGATIVE_INFINITY);
    const run = negativeRunMs(p, now, options.negativeThreshold);
    if (run >= options.negativeSustainMs) {
      alerts.push({
        id: `negative-affect:${p.participantId}`,
        kind: 'negative-affect',
        participantId: p.participantId,
        message: `${displayNameOf(p)} has looked upset for ${Math.round(run / 1000)} s (estimate)`,
      });
    }
  }
  if (consentingPresent > 0 && now - lastSeenOrWatched >= options.noFaceMs) {
    const secs = Number.isFinite(lastSeenOrWatched) ? Math.round((now - lastSeenOrWatched) / 1000) : null;
    alerts.push({
      id: 'no-face',
      kind: 'no-face',
      participantId: null,
      message: `No face has been visible${secs === null ? '' : ` for ${secs} s`}: cameras may be off or faces out of frame, so there is no estimate right now`,
    });
  }
  if (state.analyzer?.overloaded) {
    alerts.push({
      id: 'overloaded',
      kind: 'overloaded',
      participantId: null,
      message: `The analyzer is overloaded: it analyses ${state.analyzer.effectiveFps.toFixed(1)} frames/s per person for now, so estimates update less often`,
    });
  }
  return alerts;
}
