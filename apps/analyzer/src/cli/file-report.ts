import { EMOTIONS, type Emotion, type EmotionSample } from '@moodroom/shared';

export interface FileReport {
  file: string;
  model: string;
  analysedAt: string;
  durationSec: number | null;
  settings: { fps: number; speed: number; spanMs: number; strideMs: number };
  summary: {
    samples: number;
    samplesWithFace: number;
    /** Share of samples in which each emotion was the dominant estimate (face samples only). */
    dominantShare: Record<Emotion, number>;
    /** Mean probability per emotion over face samples. */
    meanProbs: Record<Emotion, number> | null;
    meanValence: number | null;
    maxFaceCount: number;
  };
  dataQuality: { framesDecoded: number; framesDroppedBusy: number; windowsSuperseded: number; note: string };
  samples: EmotionSample[];
}

/** Pure: the report of one analysed file from its samples and run counters. */
export function buildFileReport(input: {
  file: string;
  durationSec: number | null;
  settings: FileReport['settings'];
  samples: EmotionSample[];
  framesDecoded: number;
  framesDroppedBusy: number;
  windowsSuperseded: number;
  now?: Date;
}): FileReport {
  const face = input.samples.filter((s) => s.facePresent && s.probs);
  const zero = () => Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  const dominantShare = zero();
  const sum = zero();
  let valence = 0;
  for (const s of face) {
    dominantShare[s.dominant!] += 1 / face.length;
    for (const e of EMOTIONS) sum[e] += s.probs![e] / face.length;
    valence += s.valence! / face.length;
  }
  const lost = input.framesDroppedBusy + input.windowsSuperseded;
  return {
    file: input.file,
    model: input.samples[0]?.model ?? 'unknown',
    analysedAt: (input.now ?? new Date()).toISOString(),
    durationSec: input.durationSec,
    settings: input.settings,
    summary: {
      samples: input.samples.length,
      samplesWithFace: face.length,
      dominantShare,
      meanProbs: face.length ? sum : null,
      meanValence: face.length ? valence : null,
      maxFaceCount: Math.max(0, ...input.samples.map((s) => s.faceCount)),
    },
    dataQuality: {
      framesDecoded: input.framesDecoded,
      framesDroppedBusy: input.framesDroppedBusy,
      windowsSuperseded: input.windowsSuperseded,
      note:
        lost === 0
          ? 'every decoded frame and window was analysed'
          : `the pipeline could not keep up at speed ${input.settings.speed}: ${input.framesDroppedBusy} frames and ${input.windowsSuperseded} windows were skipped; re-run with a lower --speed for a complete analysis`,
    },
    samples: input.samples,
  };
}
