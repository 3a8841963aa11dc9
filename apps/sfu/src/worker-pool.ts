import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from './logger.ts';

export interface Loaded {
  load: number;
}

/** The candidate with the lowest load; ties go to the earliest one, so placement is predictable. */
export function pickLeastLoaded<T extends Loaded>(candidates: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of candidates) if (best === undefined || c.load < best.load) best = c;
  return best;
}

/** Delay before the n-th consecutive attempt to start a replacement worker. */
export function replacementDelayMs(attempt: number): number {
  return attempt === 0 ? 0 : Math.min(10_000, 250 * 2 ** (attempt - 1));
}

export interface WorkerPoolOptions {
  count: number;
  logLevel: types.WorkerLogLevel;
  log: Logger;
}

interface PoolEvents {
  /** A worker process died; `replacement` is the new worker started in its place. */
  workerReplaced: [{ deadPid: number; replacementPid: number }];
  workerDied: [{ pid: number; error: Error }];
}

/**
 * One mediasoup worker (a C++ process, one CPU core) per slot. Rooms go to the worker hosting the
 * fewest routers. A worker that dies is logged and replaced in the same slot; the rooms it hosted
 * notice through their routers' `workerclose` event (see RoomRegistry).
 */
export class WorkerPool extends EventEmitter<PoolEvents> {
  private readonly slots: (types.Worker | undefined)[];
  private readonly routerCount = new Map<types.Worker, number>();
  private readonly waiters: (() => void)[] = [];
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
    this.slots = new Array(options.count).fill(undefined);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.slots.map((_, i) => pool.startWorker(i)));
    } catch (error) {
      pool.close();
      throw new Error(
        `could not start the mediasoup worker (${(error as Error).message}). Run "npm run setup" (it builds or downloads the worker), or set MEDIASOUP_WORKER_BIN to a worker binary for mediasoup ${mediasoup.version}.`,
        { cause: error },
      );
    }
    return pool;
  }

  get liveWorkers(): types.Worker[] {
    return this.slots.filter((w): w is types.Worker => w !== undefined && !w.died && !w.closed);
  }

  /** The least-loaded live worker; waits for a replacement when every worker is down. */
  async acquire(): Promise<types.Worker> {
    for (;;) {
      if (this.closed) throw new Error('worker pool is closed');
      const best = pickLeastLoaded(this.liveWorkers.map((worker) => ({ worker, load: this.routerCount.get(worker) ?? 0 })));
      if (best) return best.worker;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  loadOf(worker: types.Worker): number {
    return this.routerCount.get(worker) ?? 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.slots) w?.close();
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async startWorker(slot: number): Promise<types.Worker> {
    const worker = await mediasoup.createWorker({ logLevel: this.options.logLevel, appData: { slot } });
    if (this.closed) {
      worker.close();
      throw new Error('worker pool is closed');
    }
    this.slots[slot] = worker;
    this.routerCount.set(worker, 0);
    worker.observer.on('newrouter', (router) => {
      this.routerCount.set(worker, (this.routerCount.get(worker) ?? 0) + 1);
      router.observer.once('close', () => this.routerCount.set(worker, Math.max(0, (this.routerCount.get(worker) ?? 1) - 1)));
    });
    worker.on('died', (error) => this.onDied(slot, worker, error));
    this.options.log.info({ slot, pid: worker.pid }, 'mediasoup worker started');
    for (const wake of this.waiters.splice(0)) wake();
    return worker;
  }

  private onDied(slot: number, worker: types.Worker, error: Error): void {
    this.routerCount.delete(worker);
    if (this.slots[slot] === worker) this.slots[slot] = undefined;
    this.options.log.error({ slot, pid: worker.pid, err: error }, 'mediasoup worker died; starting a replacement');
    this.emit('workerDied', { pid: worker.pid, error });
    void this.replace(slot, worker.pid, 0);
  }

  private async replace(slot: number, deadPid: number, attempt: number): Promise<void> {
    await new Promise((r) => setTimeout(r, replacementDelayMs(attempt)));
    if (this.closed) return;
    try {
      const replacement = await this.startWorker(slot);
      this.emit('workerReplaced', { deadPid, replacementPid: replacement.pid });
    } catch (error) {
      if (this.closed) return;
      this.options.log.error({ slot, attempt, err: error }, 'could not start a replacement mediasoup worker; retrying');
      void this.replace(slot, deadPid, attempt + 1);
    }
  }
}
