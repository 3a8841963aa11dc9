import { tap, type Observable } from 'rxjs';
import type { AnalyzerService } from '../../src/analyzer-service.ts';
import type { TimedFrame } from '../../src/ports.ts';
import { readCounter } from '../../src/receiver/testing/test-pattern.ts';

/** Frames remembered per participant: a few windows' worth (a window spans 2 s at 15 fps). */
const REMEMBERED = 256;

/**
 * Reads the frame counter that WrtcSender stamps into the pixels as each decoded frame enters a
 * participant's pipeline, so that a sample (whose `t` is its window's last frame's decode time)
 * can be traced back to the moment that frame was sent: a true capture-to-dashboard latency,
 * without changing the pipeline. Works wherever the analyzer runs in this process.
 */
export class FrameTap {
  private readonly seen = new Map<string, Map<number, number>>();
  private readonly received = new Map<string, number>();

  /** The service as ingest sees it: startAnalysis taps the frames, everything else is the service. */
  wrap<L>(service: AnalyzerService<L>): AnalyzerService<L> {
    const record = (participantId: string, f: TimedFrame) => this.record(participantId, f);
    return new Proxy(service, {
      get(target, prop) {
        if (prop === 'startAnalysis') {
          return (sessionId: string, participantId: string, frames$: Observable<TimedFrame>, options?: { rateClock?: 'wall' | 'frame' }) =>
            target.startAnalysis(sessionId, participantId, frames$.pipe(tap((f) => record(participantId, f))), options);
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  record(participantId: string, { t, frame }: TimedFrame): void {
    this.received.set(participantId, (this.received.get(participantId) ?? 0) + 1);
    if (frame.format !== 'i420' || frame.width < 256) return;
    let frames = this.seen.get(participantId);
    if (!frames) this.seen.set(participantId, (frames = new Map()));
    // Samples carry Math.round(t) (to-emotion-sample.ts).
    frames.set(Math.round(t), readCounter(frame.data as Uint8Array, frame.width));
    if (frames.size > REMEMBERED) frames.delete(frames.keys().next().value!);
  }

  /** The stamped counter of the frame decoded at `t` (a sample's t), if it is still remembered. */
  counterAt(participantId: string, t: number): number | undefined {
    return this.seen.get(participantId)?.get(t);
  }

  /** Frames that reached this participant's pipeline so far. */
  framesReceived(participantId: string): number {
    return this.received.get(participantId) ?? 0;
  }
}
