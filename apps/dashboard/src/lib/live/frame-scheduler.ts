/**
 * Coalesces work per animation frame: many schedule(key, fn) calls between two frames run each
 * key's latest fn once, all in one requestAnimationFrame callback. This is what keeps 16 people ×
 * N samples/s from turning into 16 × N chart redraws.
 */
export interface FrameScheduler {
  schedule(key: string, fn: () => void): void;
  cancel(key: string): void;
  dispose(): void;
}

export type RequestFrame = (cb: () => void) => number;
export type CancelFrame = (handle: number) => void;

export interface FrameSchedulerOptions {
  /**
   * Jobs run per frame at most; the rest wait for the next frame, oldest first. Spreads a burst of
   * chart redraws over a few frames instead of one long frame (each redraw also costs a canvas
   * upload in that frame's commit).
   */
  maxJobsPerFrame?: number;
}

export function createFrameScheduler(request: RequestFrame, cancelFrame: CancelFrame, options: FrameSchedulerOptions = {}): FrameScheduler {
  const budget = options.maxJobsPerFrame ?? Number.POSITIVE_INFINITY;
  // Insertion-ordered: re-scheduling a waiting key keeps its place, so no key starves.
  const pending = new Map<string, () => void>();
  let handle: number | null = null;
  const flush = () => {
    handle = null;
    let ran = 0;
    for (const [key, fn] of pending) {
      if (ran >= budget) break;
      pending.delete(key);
      fn();
      ran++;
    }
    if (pending.size > 0 && handle === null) handle = request(flush);
  };
  return {
    schedule(key, fn) {
      pending.set(key, fn);
      if (handle === null) handle = request(flush);
    },
    cancel(key) {
      pending.delete(key);
    },
    dispose() {
      if (handle !== null) cancelFrame(handle);
      handle = null;
      pending.clear();
    },
  };
}

/** The same interface, running every job at once (the `?render=immediate` comparison mode). */
export function createImmediateScheduler(): FrameScheduler {
  return { schedule: (_key, fn) => fn(), cancel: () => undefined, dispose: () => undefined };
}
