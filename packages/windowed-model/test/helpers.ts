import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MODELS_DIR = join(REPO_ROOT, 'models');
export const PYTHON = join(MODELS_DIR, '.venv/bin/python');
export const BASELINE = join(MODELS_DIR, 'expression-window-baseline.onnx');

/** Runs a module of the models/ Python tooling (offline venv, created by models/setup-venv.sh). */
export function python(args: string[], timeoutMs = 120_000): string {
  if (!existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`bash models/setup-venv.sh\` (the tests generate tiny ONNX fixtures with it)`);
  }
  return execFileSync(PYTHON, args, { cwd: MODELS_DIR, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Writes the tiny contract fixtures (models/baseline/fixtures.py) into a fresh temp dir. */
export function makeFixtures(): { dir: string; file(name: string): string; astronaut(): Uint8Array; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'windowed-model-'));
  python(['-m', 'baseline.fixtures', '--out-dir', dir]);
  return {
    dir,
    file: (name) => join(dir, name),
    astronaut: () => new Uint8Array(readFileSync(join(dir, 'astronaut-112.rgb'))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** T copies of one H×W×3 crop, back to back. */
export function repeatFrame(frame: Uint8Array, frames: number): Uint8Array {
  const out = new Uint8Array(frame.length * frames);
  for (let t = 0; t < frames; t++) out.set(frame, t * frame.length);
  return out;
}
