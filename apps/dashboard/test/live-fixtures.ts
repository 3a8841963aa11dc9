import { EMOTIONS, dominantEmotion, valenceOf, type EmotionProbs, type EmotionSample, type RosterEntry, type SessionInfo } from '@moodroom/shared';

export const SESSION = 'sess_0123456789abcdef';
export const T0 = 1_800_000_000_000;

export const session: SessionInfo = { sessionId: SESSION, title: 'Retro', purpose: '', analysisEnabled: true, retentionDays: 30, createdAt: T0 - 60_000, endedAt: null };

export function probs(partial: Partial<EmotionProbs>): EmotionProbs {
  const base = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionProbs;
  const given = Object.values(partial).reduce((a, b) => a + (b ?? 0), 0);
  const rest = Math.max(0, 1 - given);
  return { ...base, neutral: rest, ...partial };
}

export function sample(participantId: string, t: number, p: EmotionProbs | null): EmotionSample {
  return {
    sessionId: SESSION,
    participantId,
    t,
    windowStart: t - 1000,
    probs: p,
    dominant: p ? dominantEmotion(p) : null,
    valence: p ? Math.max(-1, Math.min(1, valenceOf(p))) : null,
    facePresent: p !== null,
    faceCount: p ? 1 : 0,
    quality: p ? 0.9 : 0,
    model: 'test-model',
  };
}

export function roster(participantId: string, displayName: string, analysisConsent: boolean, joinedAt = T0): RosterEntry {
  return { participantId, displayName, analysisConsent, joinedAt, leftAt: null };
}
