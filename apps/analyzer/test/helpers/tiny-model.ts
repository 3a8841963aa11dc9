import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Generates the tiny contract-following ONNX model (make_tiny_windowed_model.py) with the models
 * venv. No real windowed expression model is in the repository yet; this one is small enough to
 * predict exactly and still runs through real onnxruntime in real worker threads.
 */
const PYTHON = fileURLToPath(new URL('../../../../models/.venv/bin/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./make_tiny_windowed_model.py', import.meta.url));

/** A reason to skip, or null when the generator can run. */
export function tinyModelUnavailable(): string | null {
  return existsSync(PYTHON) ? null : `models/.venv is missing (${PYTHON}); run \`bash models/setup-venv.sh\` to create it`;
}

export function makeTinyWindowedModel(frames: number, height: number, width: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'analyzer-tiny-model-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'tiny-windowed.onnx');
  execFileSync(PYTHON, [SCRIPT, out, String(frames), String(height), String(width)], { stdio: 'pipe' });
  return out;
}
