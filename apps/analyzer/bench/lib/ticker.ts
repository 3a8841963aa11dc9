/** Waits `seconds`, calling `each(elapsed)` once a second (for progress lines and sampling). */
export async function everySecond(seconds: number, each: (elapsed: number) => void): Promise<void> {
  const start = Date.now();
  for (let s = 1; s <= seconds; s++) {
    // Against the start, not the previous tick: a slow tick must not stretch the run.
    await new Promise((r) => setTimeout(r, Math.max(0, start + s * 1000 - Date.now())));
    each(s);
  }
}
