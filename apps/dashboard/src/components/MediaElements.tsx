'use client';

import { useEffect, useRef } from 'react';

/** A <video> bound to a stream or a single track (srcObject can't be set from JSX). */
export function VideoView({ stream, track, muted = true, mirrored = false, label }: { stream?: MediaStream | null; track?: MediaStreamTrack | null; muted?: boolean; mirrored?: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const source = stream ?? (track ? new MediaStream([track]) : null);
    el.srcObject = source;
    if (source) el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [stream, track]);
  return <video ref={ref} className={mirrored ? 'video mirrored' : 'video'} autoPlay playsInline muted={muted} aria-label={label} />;
}

/** Plays a remote participant's microphone; invisible. */
export function AudioSink({ track }: { track: MediaStreamTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [track]);
  return <audio ref={ref} autoPlay />;
}
