import { Worker } from 'node:worker_threads';
import type { EmotionProbs } from '@moodroom/shared';
import type { PackedWindow, WindowedModelInfo } from '../ports.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

/** What the scheduler needs from whatever runs batches (a pool of threads, or one for tests). */
export interface BatchRunner {
  readonly model: WindowedModelInfo;
  /** Runners free to take a batch now. */
  idle(): number;
  run(windows: PackedWindow[]): Promise<{ probs: EmotionProbs[]; inferenceMs: number }>;
  close(): Promise<void>;
}

export interface WorkerPoolOptions extends WorkerInit {
  threads: number;
  /** Replacements for crashed workers before the pool gives up on a slot. */
  maxRestarts?: number;
  onLog?: (message: string) => void;
}

interface Slot {
  worker: Worker;
  busy: { id: number; resolve: (r: { probs: EmotionProbs[]; inferenceMs: number }) => void; reject: (e: Error) => void } | null;
  alive: boolean;
}

const WORKER_URL = new URL('./worker-bootstrap.mjs', import.meta.url);

/**
 * worker_threads, one ONNX session each (built by the injected factory module), so windows of
 * different participants run in parallel on different cores. A crashed worker fails only its own
 * batch and is replaced.
 */
export class InferenceWorkerPool implements BatchRunner {
  private slots: Slot[] = [];
  private nextId = 1;
  private restarts = 0;
  private closing = false;

  private constructor(
    private readonly options: WorkerPoolOptions,
    readonly model: WindowedModelInfo,
  ) {}

  static async start(options: WorkerPoolOptions): Promise<InferenceWorkerPool> {
    if (!(options.threads >= 1)) throw new Error(`worker pool: threads must be ≥ 1, got ${options.threads}`);
    const first = await spawn(options);
    const pool = new InferenceWorkerPool(options, first.info);
    pool.adopt(first.worker);
    const rest = await Promise.allSettled(Array.from({ length: options.threads - 1 }, () => spawn(options)));
    for (const r of rest) {
      if (r.status === 'fulfilled') pool.adopt(r.value.worker);
      else options.onLog?.(`inference worker failed to start: ${r.reason instanceof Error ? r.reason.message : r.reason}`);
    }
    return pool;
  }

  get size(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  idle(): number {
    return this.slots.filter((s) => s.alive && !s.busy).length;
  }

  run(windows: PackedWindow[]): Promise<{ probs: EmotionProbs[]; inferenceMs: number }> {
    const slot = this.slots.find((s) => s.alive && !s.busy);
    if (!slot) return Promise.reject(new Error('no idle inference worker (the scheduler must check idle() first)'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.busy = { id, resolve, reject };
      const msg: ToWorker = { type: 'run', id, windows };
      // Transfer the pixel buffers: no copy, and the main thread drops them at once.
      slot.worker.postMessage(msg, windows.flatMap((w) => [w.pixels.buffer as ArrayBuffer, w.weights.buffer as ArrayBuffer]));
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.busy?.reject(new Error('inference pool is shutting down'));
        slot.busy = null;
        if (!slot.alive) return;
        const exited = new Promise<void>((r) => slot.worker.once('exit', () => r()));
        slot.worker.postMessage({ type: 'close' } satisfies ToWorker);
        const timeout = setTimeout(() => void slot.worker.terminate(), 2000);
        await exited;
        clearTimeout(timeout);
      }),
    );
    this.slots = [];
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, busy: null, alive: true };
    this.slots.push(slot);
    worker.on('message', (msg: FromWorker) => {
      if ((msg.type === 'result' || msg.type === 'error') && slot.busy?.id === msg.id) {
        const job = slot.busy;
        slot.busy = null;
        if (msg.type === 'result') job.resolve({ probs: msg.probs, inferenceMs: msg.inferenceMs });
        else job.reject(new Error(msg.message));
      }
    });
    const lost = (why: string) => {
      if (!slot.alive) return;
      slot.alive = false;
      slot.busy?.reject(new Error(`inference worker died (${why}); the window was dropped`));
      slot.busy = null;
      this.slots = this.slots.filter((s) => s !== slot);
      if (this.closing) return;
      this.options.onLog?.(`inference worker died (${why})`);
      if (this.restarts >= (this.options.maxRestarts ?? 5)) {
        this.options.onLog?.('inference worker restart limit reached; running with fewer threads');
        return;
      }
      this.restarts++;
      spawn(this.options).then(
        ({ worker: replacement }) => (this.closing ? void replacement.terminate() : this.adopt(replacement)),
        (err) => this.options.onLog?.(`inference worker replacement failed: ${err instanceof Error ? err.message : err}`),
      );
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
  }
}

function spawn(init: WorkerInit): Promise<{ worker: Worker; info: WindowedModelInfo }> {
  const worker = new Worker(WORKER_URL, {
    workerData: { factoryModule: init.factoryModule, factoryOptions: init.factoryOptions } satisfies WorkerInit,
    // The worker is TypeScript: load tsx in it even when the parent was started without it.
    execArgv: process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : [...process.execArgv, '--import', 'tsx'],
  });
  return new Promise((resolve, reject) => {
    const onMessage = (msg: FromWorker) => {
      if (msg.type === 'ready') {
        cleanup();
        resolve({ worker, info: msg.info });
      } else if (msg.type === 'fatal') {
        cleanup();
        void worker.terminate();
        reject(new Error(`inference worker could not load its model: ${msg.message}`));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new Error(`inference worker failed to start: ${err.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`inference worker exited during start-up (code ${code})`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
