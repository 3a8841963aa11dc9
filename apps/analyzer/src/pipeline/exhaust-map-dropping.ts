import { Observable, type OperatorFunction, type Subscription } from 'rxjs';

/**
 * exhaustMap that reports what it ignores: while the inner work for one value runs, newer values
 * are dropped (never queued) and handed to `onDrop` so they can be counted.
 */
export function exhaustMapDropping<T, R>(project: (value: T) => Observable<R>, onDrop?: (value: T) => void): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      let inner: Subscription | null = null;
      let outerDone = false;
      const outer = source.subscribe({
        next(value) {
          if (inner) {
            onDrop?.(value);
            return;
          }
          let innerDone = false;
          const sub = project(value).subscribe({
            next: (r) => subscriber.next(r),
            error: (err) => subscriber.error(err),
            complete: () => {
              innerDone = true;
              inner = null;
              if (outerDone) subscriber.complete();
            },
          });
          if (!innerDone) inner = sub;
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          outerDone = true;
          if (!inner) subscriber.complete();
        },
      });
      return () => {
        outer.unsubscribe();
        inner?.unsubscribe();
      };
    });
}
