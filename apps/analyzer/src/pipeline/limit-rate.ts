import { asyncScheduler, isObservable, Observable, of, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Passes at most `fps` values per second, keeping the NEWEST value of each interval and dropping
 * the rest (reported to `onDrop`): a slow consumer never makes frames pile up — at most one
 * pending frame is held. The first frame after a quiet interval passes at once (no added latency).
 * `fps` may change at run time (the overload controller lowers it for everyone); the new rate
 * applies from the next interval.
 */
export function limitRate<T>(
  fps: number | Observable<number>,
  options: { scheduler?: SchedulerLike; onDrop?: (value: T) => void } = {},
): MonoTypeOperatorFunction<T> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const fps$ = isObservable(fps) ? fps : of(fps);
  return (source) =>
    new Observable<T>((subscriber) => {
      let periodMs = Number.NaN;
      const fpsSub = fps$.subscribe((value) => {
        if (!(value > 0)) subscriber.error(new Error(`limitRate: fps must be > 0, got ${value}`));
        else periodMs = 1000 / value;
      });
      if (Number.isNaN(periodMs)) {
        if (!subscriber.closed) subscriber.error(new Error('limitRate: the fps observable must emit synchronously on subscribe (use a BehaviorSubject)'));
        return fpsSub;
      }

      let pending: { value: T } | null = null;
      let timer: Subscription | null = null;
      let sourceDone = false;
      const openInterval = () => {
        timer = scheduler.schedule(() => {
          timer = null;
          if (pending) {
            const { value } = pending;
            pending = null;
            subscriber.next(value);
            if (sourceDone) subscriber.complete();
            else openInterval();
          } else if (sourceDone) {
            subscriber.complete();
          }
        }, periodMs);
      };
      const sourceSub = source.subscribe({
        next(value) {
          if (!timer) {
            subscriber.next(value);
            openInterval();
            return;
          }
          if (pending) options.onDrop?.(pending.value);
          pending = { value };
        },
        error: (err) => subscriber.error(err),
        complete() {
          sourceDone = true;
          // The pending newest frame still goes out at its interval's end; then we complete.
          if (!pending) subscriber.complete();
        },
      });
      return () => {
        sourceSub.unsubscribe();
        fpsSub.unsubscribe();
        timer?.unsubscribe();
        pending = null;
      };
    });
}

/**
 * The same rate limit on FRAME time, for sources that are not real time (a recorded video read
 * as fast as it decodes): passes the first frame of each 1/fps slot of frame time and drops the
 * rest. No timers, so nothing is held at all.
 */
export function limitRateByFrameTime<T extends { t: number }>(
  fps: number | Observable<number>,
  options: { onDrop?: (value: T) => void } = {},
): MonoTypeOperatorFunction<T> {
  const fps$ = isObservable(fps) ? fps : of(fps);
  return (source) =>
    new Observable<T>((subscriber) => {
      let periodMs = Number.NaN;
      let lastSlot = Number.NEGATIVE_INFINITY;
      const fpsSub = fps$.subscribe((value) => {
        if (!(value > 0)) subscriber.error(new Error(`limitRate: fps must be > 0, got ${value}`));
        else if (1000 / value !== periodMs) {
          periodMs = 1000 / value;
          lastSlot = Number.NEGATIVE_INFINITY;
        }
      });
      if (Number.isNaN(periodMs)) {
        if (!subscriber.closed) subscriber.error(new Error('limitRate: the fps observable must emit synchronously on subscribe (use a BehaviorSubject)'));
        return fpsSub;
      }
      const sub = source.subscribe({
        next(value) {
          const slot = Math.floor(value.t / periodMs);
          if (slot > lastSlot) {
            lastSlot = slot;
            subscriber.next(value);
          } else {
            options.onDrop?.(value);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      sub.add(fpsSub);
      return sub;
    });
}
