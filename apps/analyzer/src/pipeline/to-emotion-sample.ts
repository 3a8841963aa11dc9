import { map, type OperatorFunction } from 'rxjs';
import { dominantEmotion, valenceOf, type EmotionProbs, type EmotionSample } from '@moodroom/shared';

export interface SampleIdentity {
  sessionId: string;
  participantId: string;
  model: string;
}

/** The window fields a sample is made of (what smoothProbs emits). */
export interface SampleSource {
  t: number;
  windowStart: number;
  probs: EmotionProbs | null;
  facePresent: boolean;
  faceCount: number;
  quality: number;
}

export function windowToSample(w: SampleSource, id: SampleIdentity): EmotionSample {
  const probs = w.facePresent ? w.probs : null;
  return {
    sessionId: id.sessionId,
    participantId: id.participantId,
    t: Math.round(w.t),
    windowStart: Math.round(Math.min(w.windowStart, w.t)),
    probs,
    dominant: probs ? dominantEmotion(probs) : null,
    valence: probs ? Math.max(-1, Math.min(1, valenceOf(probs))) : null,
    facePresent: probs !== null,
    faceCount: w.faceCount,
    quality: Math.max(0, Math.min(1, w.quality)),
    model: id.model,
  };
}

export const toEmotionSample = (id: SampleIdentity): OperatorFunction<SampleSource, EmotionSample> => map((w) => windowToSample(w, id));
