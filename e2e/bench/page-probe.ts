/**
 * Measurement code injected into the dashboard page before its own scripts (a string, not a
 * function: tsx's helpers would not exist in the page). It only records while `start()` has been
 * called, so page load and warm-up stay out of the numbers.
 *
 * - sample → DOM: each participant card carries `data-last-t` (its newest sample's `t`, stamped
 *   by the fake analyzer with Date.now() on the same machine); a MutationObserver sees the commit.
 * - long tasks: PerformanceObserver 'longtask' (≥ 50 ms main-thread tasks).
 * - frame time: the interval between consecutive requestAnimationFrame callbacks.
 */
export const PAGE_PROBE = `(() => {
  const b = { measuring: false, longtasks: [], frames: [], latencies: [], last: 0 };
  try {
    new PerformanceObserver((list) => {
      if (!b.measuring) return;
      for (const e of list.getEntries()) b.longtasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  } catch (e) { b.longtaskError = String(e); }
  const loop = (ts) => {
    if (b.measuring && b.last) b.frames.push(ts - b.last);
    b.last = ts;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  const mo = new MutationObserver((records) => {
    if (!b.measuring) return;
    const now = Date.now();
    for (const r of records) {
      const v = r.target.getAttribute('data-last-t');
      if (v) b.latencies.push(now - Number(v));
    }
  });
  const observe = () => mo.observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ['data-last-t'] });
  if (document.documentElement) observe(); else document.addEventListener('DOMContentLoaded', observe);
  window.__bench = {
    start() { b.measuring = true; b.longtasks = []; b.frames = []; b.latencies = []; b.last = 0; },
    collect() { b.measuring = false; return { longtasks: b.longtasks, frames: b.frames, latencies: b.latencies, longtaskError: b.longtaskError ?? null }; },
  };
})();`;

export interface ProbeResult {
  longtasks: number[];
  frames: number[];
  latencies: number[];
  longtaskError: string | null;
}
