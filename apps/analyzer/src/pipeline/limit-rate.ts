import { asyncScheduler, isObservable, Observable, of, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * Passes at most `fps` values per second on average, keeping the NEWEST value when it must hold
 * one and dropping the rest (reported to `onDrop`): a slow consumer never makes frames pile up —
 * at most one pending value is held. Credit-based (a token bucket of `burst` values, refilled at
 * `fps`), not "one per 1/fps interval": network and decode jitter delivers a 15 fps camera as
 * 80 ms, 50 ms, … gaps, and the interval rule, never able to catch up after a late frame, dropped
 * ≈1 % of such a camera's frames at a 15 fps limit; credit passes them all and still holds the
 * average. A value with credit passes at once (no added latency). `fps` may change at run time
 * (the overload controller lowers it for everyone); credit earned so far is kept.
 */
export function limitRate<T>(
  fps: number | Observable<number>,
  options: { scheduler?: SchedulerLike; onDrop?: (value: T) => void; burst?: number } = {},
): MonoTypeOperatorFunction<T> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const burst = options.burst ?? 2;
  const fps$ = isObservable(fps) ? fps : of(fps);
  return (source) =>
    new Observable<T>((subscriber) => {
      let rate = Number.NaN;
      let credit = 1;
      let last = scheduler.now();
      const refill = () => {
        const now = scheduler.now();
        if (now > last) credit = Math.min(burst, credit + ((now - last) * rate) / 1000);
        last = Math.max(last, now);
      };
      const fpsSub = fps$.subscribe((value) => {
        if (!(value > 0)) {
          subscriber.error(new Error(`limitRate: fps must be > 0, got ${value}`));
          return;
        }
        if (!Number.isNaN(rate)) refill();
        rate = value;
      });
      if (Number.isNaN(rate)) {
        if (!subscriber.closed) subscriber.error(new Error('limitRate: the fps observable must emit synchronously on subscribe (use a BehaviorSubject)'));
        return fpsSub;
      }

      let pending: { value: T } | null = null;
      let timer: Subscription | null = null;
      let sourceDone = false;
      const flushWhenDue = () => {
        if (timer) return;
        timer = scheduler.schedule(() => {
          timer = null;
          refill();
          if (!pending) return;
          // A rate lowered meanwhile may not have earned the whole value yet: wait on.
          if (credit < 1 - 1e-9) return flushWhenDue();
          credit -= 1;
          const { value } = pending;
          pending = null;
          subscriber.next(value);
          if (sourceDone) subscriber.complete();
        }, Math.max(0, ((1 - credit) * 1000) / rate));
      };
      const sourceSub = source.subscribe({
        next(value) {
          refill();
          if (!pending && credit >= 1 - 1e-9) {
            credit -= 1;
            subscriber.next(value);
            return;
          }
          if (pending) options.onDrop?.(pending.value);
          pending = { value };
          flushWhenDue();
        },
        error: (err) => subscriber.error(err),
        complete() {
          sourceDone = true;
          // The pending newest value still goes out when it is due; then we complete.
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
