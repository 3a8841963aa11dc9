import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { canonicalEmotion, EMOTIONS, type Emotion, type EmotionProbs } from '@moodroom/shared';
import { alignFace, type AlignedFace, type AlignTemplate } from './align.ts';
import { generateSsdAnchors } from './anchors.ts';
import { BLAZEFACE_DECODE, decodeDetections, sigmoid, transformDetection, weightedNms, type FaceDetection } from './detection.ts';
import { assertFrame, type Frame } from './frame.ts';
import { applyAffine, composeAffine, rectToCropMatrix, type RotatedRect } from './geometry.ts';
import { letterboxMatrix, resizeMatrix, warpAffineToTensor, type TensorTarget } from './kernels.ts';
import { MESH_POINTS } from './mesh.ts';
import { jsonMetadata, loadModelSession, outputData, type ModelSession } from './model-session.ts';
import { detectionToRoi, type Landmark } from './roi.ts';

export type ExpressionModelName = 'faceapi' | 'minixception';

export interface VisionOptions {
  /** Folder holding the ONNX files; defaults to the repository's models/. */
  modelsDir?: string;
  /** onnxruntime intra-op threads per session (default 1: one face per call is too small to split well). */
  threads?: number;
  /** Static expression classifier (default 'faceapi', which generalises better on real faces; see README). */
  expressionModel?: ExpressionModelName;
  /** Minimum detector confidence (default 0.5, MediaPipe's). */
  minDetectionScore?: number;
  /** IoU above which detections are merged by weighted NMS (default 0.3, MediaPipe's). */
  nmsIouThreshold?: number;
}

/** A face mesh in frame pixels. */
export interface FaceMesh {
  /** 468 points; z is relative depth in the same pixel scale. */
  landmarks: Landmark[];
  /** Probability 0..1 that the ROI holds a face. */
  presence: number;
  /** The rotated square the mesh model looked at. */
  roi: RotatedRect;
}

export interface ExpressionResult {
  /** Canonical 7-emotion probabilities (sum 1). */
  probs: EmotionProbs;
  /** The model's own labels and probabilities, in its order. */
  raw: { label: string; prob: number }[];
  model: ExpressionModelName;
}

export interface Vision {
  /** Faces in the frame, best first, in frame pixels. */
  detectFaces(frame: Frame): Promise<FaceDetection[]>;
  /** 468-point mesh for a detection (or a ROI, e.g. from the previous frame's mesh). */
  faceLandmarks(frame: Frame, face: FaceDetection | RotatedRect): Promise<FaceMesh>;
  /** Aligned RGB crop (eyes and mouth on a canonical template); size is the crop side in pixels. */
  alignFace(frame: Frame, landmarks: readonly Landmark[], size: number, options?: { template?: AlignTemplate; out?: Uint8Array }): AlignedFace;
  /** Static expression probabilities for an aligned face crop (any size; resized to the model's input). */
  classifyExpression(crop: Frame): Promise<ExpressionResult>;
  /** The classifier's input side, i.e. the crop size that avoids a second resampling. */
  readonly expressionInputSize: number;
  readonly expressionModel: ExpressionModelName;
  release(): Promise<void>;
}

/** The repository's models/ folder, found relative to this file (packages/vision/src → ../../../models). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));

export const MODEL_FILES = {
  detector: 'blazeface-short-range.onnx',
  landmarks: 'face-landmark-468.onnx',
  faceapi: 'expression-faceapi.onnx',
  minixception: 'expression-minixception.onnx',
} as const;

/** Defaults from the conversion when metadata does not say otherwise (labels and input range per model card). */
const EXPRESSION_DEFAULTS: Record<ExpressionModelName, { labels: string[]; range: [number, number] }> = {
  faceapi: { labels: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'], range: [0, 255] },
  minixception: { labels: ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'], range: [-1, 1] },
};

/** Value range of a model's input from its metadata (`moodroom.input_range` = [min, max]), else the fallback. */
function inputRange(model: ModelSession, fallback: [number, number]): [number, number] {
  for (const key of ['moodroom.input_range', 'moodroom.input.range', 'moodroom.range']) {
    const r = jsonMetadata<unknown>(model, key);
    if (Array.isArray(r) && r.length === 2 && r.every((v) => typeof v === 'number')) return [r[0] as number, r[1] as number];
  }
  return fallback;
}

function tensorTarget(model: ModelSession, range: [number, number]): TensorTarget {
  const [, height, width, channels] = model.inputShape;
  if (channels !== 1 && channels !== 3) throw new Error(`${model.name} model input must have 1 or 3 channels, has ${channels}`);
  return { data: model.input, width, height, channels, scale: (range[1] - range[0]) / 255, offset: range[0] };
}

/** Picks an output by its contract name, else the one whose size matches (exports may rename outputs). */
function pickOutput(outputs: Record<string, { data: unknown; dims: readonly number[] }>, name: string, size: number, model: string): Float32Array {
  if (outputs[name]) return outputData(outputs as never, name, model);
  for (const [n, t] of Object.entries(outputs)) {
    if (t.data instanceof Float32Array && t.data.length === size) return outputData(outputs as never, n, model);
  }
  throw new Error(`${model} model has no output "${name}" of ${size} values (outputs: ${Object.keys(outputs).join(', ')})`);
}

export async function createVision(options: VisionOptions = {}): Promise<Vision> {
  const modelsDir = options.modelsDir ?? DEFAULT_MODELS_DIR;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const expressionModel = options.expressionModel ?? 'faceapi';
  if (!(expressionModel in EXPRESSION_DEFAULTS)) throw new RangeError(`expressionModel must be 'faceapi' or 'minixception', got ${String(expressionModel)}`);
  const decode = { ...BLAZEFACE_DECODE, minScore: options.minDetectionScore ?? BLAZEFACE_DECODE.minScore };
  const nmsIou = options.nmsIouThreshold ?? 0.3;

  const [detector, mesh, classifier] = await Promise.all([
    loadModelSession('face detector', join(modelsDir, MODEL_FILES.detector), { threads }),
    loadModelSession('face landmark', join(modelsDir, MODEL_FILES.landmarks), { threads }),
    loadModelSession(`${expressionModel} expression`, join(modelsDir, MODEL_FILES[expressionModel]), { threads }),
  ]);

  const detW = detector.inputShape[2];
  const detH = detector.inputShape[1];
  const anchors = generateSsdAnchors({ inputWidth: detW, inputHeight: detH, strides: [8, 16, 16, 16], anchorsPerLayer: 2, anchorOffsetX: 0.5, anchorOffsetY: 0.5 });
  const detTarget = tensorTarget(detector, inputRange(detector, [-1, 1]));
  decode.scale = detW;

  const meshTarget = tensorTarget(mesh, inputRange(mesh, [0, 1]));
  const meshSize = mesh.inputShape[2];

  const defaults = EXPRESSION_DEFAULTS[expressionModel];
  const labels = jsonMetadata<string[]>(classifier, 'moodroom.labels') ?? defaults.labels;
  const canonical = labels.map((l) => canonicalEmotion(l));
  if (!EMOTIONS.every((e) => canonical.includes(e))) {
    throw new Error(`${classifier.path} labels ${JSON.stringify(labels)} do not cover the canonical emotions ${EMOTIONS.join(', ')}`);
  }
  const clsTarget = tensorTarget(classifier, inputRange(classifier, defaults.range));
  // The grey model was trained on BT.601 luma (0.2989, 0.587, 0.114), the default grey weights.

  return {
    expressionModel,
    expressionInputSize: classifier.inputShape[2],

    async detectFaces(frame) {
      assertFrame(frame);
      const srcFromInput = letterboxMatrix(frame.width, frame.height, detW, detH);
      const raw = await detector.run(
        () => warpAffineToTensor(frame, srcFromInput, detTarget, 'zero'),
        (out) => {
          const o = out as unknown as Record<string, { data: unknown; dims: readonly number[] }>;
          return decodeDetections(pickOutput(o, 'regressors', anchors.length * decode.numCoords, 'face detector'), pickOutput(o, 'classificators', anchors.length, 'face detector'), anchors, decode);
        },
      );
      // Detections are normalised to the detector input; scale to its pixels, then undo the letterbox.
      const toFrame = composeAffine(srcFromInput, [detW, 0, 0, 0, detH, 0]);
      return weightedNms(raw, nmsIou).map((d) => transformDetection(d, toFrame));
    },

    async faceLandmarks(frame, face) {
      assertFrame(frame);
      const roi = 'box' in face ? detectionToRoi(face) : face;
      if (!(roi.width > 0 && roi.height > 0)) throw new RangeError('face ROI has zero size');
      const frameFromCrop = rectToCropMatrix(roi, meshSize, meshSize);
      return mesh.run(
        () => warpAffineToTensor(frame, frameFromCrop, meshTarget, 'replicate'),
        (out) => {
          const o = out as unknown as Record<string, { data: unknown; dims: readonly number[] }>;
          const pts = pickOutput(o, 'landmarks', MESH_POINTS * 3, 'face landmark');
          const presence = sigmoid(pickOutput(o, 'presence', 1, 'face landmark')[0]!);
          const zScale = roi.width / meshSize;
          const landmarks: Landmark[] = new Array(MESH_POINTS);
          for (let i = 0; i < MESH_POINTS; i++) {
            const p = applyAffine(frameFromCrop, pts[3 * i]!, pts[3 * i + 1]!);
            landmarks[i] = { x: p.x, y: p.y, z: pts[3 * i + 2]! * zScale };
          }
          return { landmarks, presence, roi };
        },
      );
    },

    alignFace,

    async classifyExpression(crop) {
      assertFrame(crop, 'expression crop');
      const m = resizeMatrix(crop.width, crop.height, clsTarget.width, clsTarget.height);
      const probs = await classifier.run(
        () => warpAffineToTensor(crop, m, clsTarget, 'replicate'),
        (out) => Float32Array.from(Object.values(out)[0]!.data as Float32Array),
      );
      if (probs.length !== labels.length) throw new Error(`${classifier.path} returned ${probs.length} scores for ${labels.length} labels`);
      const result = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
      let total = 0;
      labels.forEach((_, i) => {
        const e = canonical[i];
        if (e) { result[e] += probs[i]!; total += probs[i]!; }
      });
      // Extra vendor classes (none in the bundled models) are dropped and the rest renormalised.
      if (total > 0) for (const e of EMOTIONS) result[e] /= total;
      return { probs: result, raw: labels.map((label, i) => ({ label, prob: probs[i]! })), model: expressionModel };
    },

    async release() {
      await Promise.all([detector.release(), mesh.release(), classifier.release()]);
    },
  };
}
