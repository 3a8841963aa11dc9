import { parseArgs } from 'node:util';

export interface LoadArgs {
  participants: number;
  durationS: number;
  warmupS: number;
  width: number;
  height: number;
  fps: number;
  sfuUrl?: string;
  analyzerUrl?: string;
  analyzerPid?: number;
  sfuPid?: number;
}

export const LOAD_USAGE = `npm run load -- [--participants 4] [--duration 20] [--warmup 6] [--width 640] [--height 480] [--fps 15]
              [--sfu URL --analyzer URL [--analyzer-pid PID] [--sfu-pid PID]]`;

const OPTIONS = {
  participants: { type: 'string', default: '4' },
  duration: { type: 'string', default: '20' },
  // analysedFps is a 5 s trailing rate (participant-stats.ts): warm up past it.
  warmup: { type: 'string', default: '6' },
  width: { type: 'string', default: '640' },
  height: { type: 'string', default: '480' },
  fps: { type: 'string', default: '15' },
  sfu: { type: 'string' },
  analyzer: { type: 'string' },
  'analyzer-pid': { type: 'string' },
  'sfu-pid': { type: 'string' },
} as const;

/** An integer flag in [min, max], or an error that names the flag (shared by the load tools). */
export function int(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** Parses the load tool's flags (pure; throws with a message that names the bad flag). */
export function parseLoadArgs(argv: string[]): LoadArgs {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  const args: LoadArgs = {
    participants: int('participants', values.participants, 1, 64),
    durationS: int('duration', values.duration, 1),
    warmupS: int('warmup', values.warmup, 0),
    // The frame counter stamp is 16 blocks of 16 px along the top (test-pattern.ts).
    width: int('width', values.width, 256, 4096),
    height: int('height', values.height, 16, 4096),
    fps: int('fps', values.fps, 1, 60),
  };
  if (args.width % 2 || args.height % 2) throw new Error('--width and --height must be even (I420)');
  if (values.analyzer && !values.sfu) throw new Error('--analyzer needs --sfu: the SFU that analyzer is linked to');
  if (values.sfu) args.sfuUrl = values.sfu;
  if (values.analyzer) args.analyzerUrl = values.analyzer;
  if (values['analyzer-pid']) args.analyzerPid = int('analyzer-pid', values['analyzer-pid'], 1);
  if (values['sfu-pid']) args.sfuPid = int('sfu-pid', values['sfu-pid'], 1);
  return args;
}
