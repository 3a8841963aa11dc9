/**
 * Decides, frame by frame, whether a frame fits under a maximum rate; frames that do not are
 * dropped by the caller (never queued: a late frame is worth less than the next one).
 *
 * Credit-based rather than "at least 1/maxFps since the last kept frame": with 15 fps in and a cap
 * of 10, the interval rule keeps every other frame (7.5 fps) while credit keeps 2 of 3 (10 fps).
 * Credit is capped at `burst` frames so a pause does not turn into a burst afterwards.
 */
export class FrameRateCap {
  private credit: number;
  private lastT: number | null = null;

  constructor(
    private readonly maxFps: number,
    private readonly burst = 2,
  ) {
    if (!(maxFps > 0)) throw new RangeError(`maxFps must be > 0, got ${maxFps}`);
    this.credit = 1;
  }

  /** true: keep the frame seen at time `t` (ms); false: drop it. Times must not go backwards. */
  admit(t: number): boolean {
    if (this.lastT !== null && t > this.lastT) {
      this.credit = Math.min(this.burst, this.credit + ((t - this.lastT) * this.maxFps) / 1000);
    }
    this.lastT = this.lastT === null ? t : Math.max(this.lastT, t);
    // Small tolerance so jittery arrival times (65 ms, 68 ms, …) do not drop a frame that is due.
    if (this.credit >= 0.95) {
      this.credit -= 1;
      return true;
    }
    return false;
  }
}
