import { canonicalEmotion, EMOTIONS, type Emotion } from '@moodroom/shared';

/** Where every windowed-model error points the reader. */
export const CONTRACT_DOC = 'models/WINDOWED_CONTRACT.md';
export const CONTRACT_ID = 'windowed-v1';

/** A model file that does not follow models/WINDOWED_CONTRACT.md. */
export class WindowedContractError extends Error {
  override name = 'WindowedContractError';
}

/** The contract metadata of a windowed model, parsed and checked (no I/O). */
export interface WindowedMetadata {
  name: string;
  labels: string[];
  frames: number;
  height: number;
  width: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** For each canonical emotion, the model output that carries it, or null when the model has no such class. */
  canonicalIndex: Record<Emotion, number | null>;
  /** Output labels that are not one of the canonical 7 (e.g. MAFW's "contempt"), in output order. */
  extras: string[];
  dataset: string | null;
  description: string | null;
  crop: string | null;
  source: string | null;
  licence: string | null;
}

function fail(source: string, what: string): never {
  throw new WindowedContractError(
    `${source}: ${what}. Windowed models must follow ${CONTRACT_DOC} (contract ${CONTRACT_ID}); ` +
      're-export it with models/s2d/export.py or rebuild the baseline with `npm run build:baseline -w models`',
  );
}

function required(meta: Record<string, string>, key: string, source: string): string {
  const v = meta[key];
  if (v === undefined || v.trim() === '') fail(source, `metadata key "${key}" is missing`);
  return v;
}

function json(meta: Record<string, string>, key: string, source: string): unknown {
  const raw = required(meta, key, source);
  try {
    return JSON.parse(raw);
  } catch {
    return fail(source, `metadata key "${key}" is not valid JSON (${JSON.stringify(raw.slice(0, 60))})`);
  }
}

function positiveInt(meta: Record<string, string>, key: string, source: string): number {
  const raw = required(meta, key, source);
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(source, `metadata key "${key}" must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

function triple(meta: Record<string, string>, key: string, source: string, positive: boolean): [number, number, number] {
  const v = json(meta, key, source);
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
    fail(source, `metadata key "${key}" must be a JSON array of 3 ${positive ? 'positive ' : ''}numbers (one per RGB channel), got ${meta[key]}`);
  }
  return v as [number, number, number];
}

/** Maps output labels onto the canonical emotions by name; a label set with no canonical emotion, or two labels for one, is an error. */
export function mapLabels(labels: readonly string[], source: string): Pick<WindowedMetadata, 'canonicalIndex' | 'extras'> {
  const canonicalIndex = Object.fromEntries(EMOTIONS.map((e) => [e, null])) as Record<Emotion, number | null>;
  const extras: string[] = [];
  labels.forEach((label, i) => {
    const e = canonicalEmotion(label);
    if (e === null) extras.push(label);
    else if (canonicalIndex[e] !== null) fail(source, `labels "${labels[canonicalIndex[e]!]}" and "${label}" both map to the emotion "${e}"`);
    else canonicalIndex[e] = i;
  });
  if (EMOTIONS.every((e) => canonicalIndex[e] === null)) {
    fail(source, `none of the labels ${JSON.stringify(labels)} is a known emotion (packages/shared canonicalEmotion)`);
  }
  return { canonicalIndex, extras };
}

/** Parses and checks a model's `moodroom.*` metadata_props (`source` names the model in errors). */
export function parseWindowedMetadata(meta: Record<string, string>, source: string): WindowedMetadata {
  const contract = required(meta, 'moodroom.contract', source);
  if (contract !== CONTRACT_ID) fail(source, `metadata "moodroom.contract" is ${JSON.stringify(contract)}, this runtime reads ${JSON.stringify(CONTRACT_ID)}`);
  const labels = json(meta, 'moodroom.labels', source);
  if (!Array.isArray(labels) || labels.length === 0 || !labels.every((l) => typeof l === 'string' && l.length > 0)) {
    fail(source, `metadata key "moodroom.labels" must be a non-empty JSON array of label names, got ${meta['moodroom.labels']}`);
  }
  const opt = (key: string): string | null => meta[key] ?? null;
  return {
    name: opt('moodroom.name') ?? source.replace(/^.*[\\/]/, '').replace(/\.onnx$/, ''),
    labels: labels as string[],
    frames: positiveInt(meta, 'moodroom.frames', source),
    height: positiveInt(meta, 'moodroom.height', source),
    width: positiveInt(meta, 'moodroom.width', source),
    mean: triple(meta, 'moodroom.mean', source, false),
    std: triple(meta, 'moodroom.std', source, true),
    ...mapLabels(labels as string[], source),
    dataset: opt('moodroom.dataset'),
    description: opt('moodroom.description'),
    crop: opt('moodroom.crop'),
    source: opt('moodroom.source'),
    licence: opt('moodroom.licence'),
  };
}
