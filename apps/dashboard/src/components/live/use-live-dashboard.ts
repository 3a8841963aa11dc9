'use client';

import { useEffect, useMemo, useState } from 'react';
import { tokenFromHash } from '@moodroom/shared';
import { resolveAnalyzerUrl } from '../../lib/service-url.ts';
import { connectLive } from '../../lib/live/connection.ts';
import { NO_KEY_MESSAGE, type ConnectionStatus } from '../../lib/live/connection-errors.ts';
import { TICK_MS } from '../../lib/live/constants.ts';
import { applyLiveEvent } from '../../lib/live/events.ts';
import { createFrameScheduler, createImmediateScheduler, type FrameScheduler } from '../../lib/live/frame-scheduler.ts';
import { LiveStore } from '../../lib/live/store.ts';

/** React + a few chart redraws per frame keeps every frame short even when all 17 charts are due. */
const MAX_JOBS_PER_FRAME = 4;

/** `?render=immediate`: every change redraws at once (the benchmark's comparison mode). */
export type RenderMode = 'frame' | 'immediate';

export interface DashboardStats {
  samplesApplied: number;
  /** Date.now() when the last sample was applied minus its `t`. */
  lastSampleLatencyMs: number | null;
  /** React commits of the dashboard. */
  renders: number;
}

declare global {
  interface Window {
    __moodroomDashboard?: { stats(): DashboardStats };
  }
}

export interface LiveDashboard {
  store: LiveStore;
  status: ConnectionStatus;
  /** Re-render trigger: the store version last rendered. */
  version: number;
  scheduler: FrameScheduler;
  token: string | null;
  stats: DashboardStats;
}

/**
 * Wires the store to the analyzer connection and to React: the socket mutates the store, and the
 * view re-renders at most once per animation frame (or at once in "immediate" mode).
 */
export function useLiveDashboard(sessionId: string, configuredAnalyzerUrl: string | null): LiveDashboard {
  const store = useMemo(() => new LiveStore(sessionId), [sessionId]);
  const stats = useMemo<DashboardStats>(() => ({ samplesApplied: 0, lastSampleLatencyMs: null, renders: 0 }), []);
  const [status, setStatus] = useState<ConnectionStatus>({ state: 'connecting', message: null });
  const [version, setVersion] = useState(0);
  const [mode, setMode] = useState<RenderMode | null>(null);
  const [token, setToken] = useState<string | null>(null);

  const scheduler = useMemo<FrameScheduler>(
    () =>
      mode === 'immediate' || typeof window === 'undefined'
        ? createImmediateScheduler()
        : createFrameScheduler((cb) => window.requestAnimationFrame(cb), (h) => window.cancelAnimationFrame(h), { maxJobsPerFrame: MAX_JOBS_PER_FRAME }),
    [mode],
  );
  useEffect(() => () => scheduler.dispose(), [scheduler]);

  useEffect(() => {
    window.__moodroomDashboard = { stats: () => ({ ...stats }) };
    setMode(new URLSearchParams(window.location.search).get('render') === 'immediate' ? 'immediate' : 'frame');
    return () => {
      delete window.__moodroomDashboard;
    };
  }, [stats]);

  useEffect(() => {
    if (mode === null) return;
    const key = tokenFromHash(window.location.hash, 'key');
    setToken(key);
    if (!key) {
      setStatus({ state: 'error', code: 'NO_KEY', message: NO_KEY_MESSAGE });
      return;
    }
    const offStore = store.subscribe(() => scheduler.schedule('react', () => setVersion(store.version)));
    const disconnect = connectLive(
      { analyzerUrl: resolveAnalyzerUrl(configuredAnalyzerUrl, window.location), token: key, sessionId },
      {
        onStatus: setStatus,
        onSnapshot: (snapshot) => store.reset(snapshot, Date.now()),
        onEvent: (event) => {
          const now = Date.now();
          if (applyLiveEvent(store, event, now) && event.name === 'sample') {
            stats.samplesApplied++;
            stats.lastSampleLatencyMs = now - event.payload.t;
          }
        },
      },
    );
    const timer = window.setInterval(() => store.tick(Date.now()), TICK_MS);
    return () => {
      window.clearInterval(timer);
      disconnect();
      offStore();
    };
  }, [mode, store, scheduler, stats, sessionId, configuredAnalyzerUrl]);

  useEffect(() => {
    stats.renders++;
  });

  return { store, status, version, scheduler, token, stats };
}
