'use client';

import { useEffect } from 'react';

/**
 * Runs `release(resource)` when the resource is replaced or the component unmounts, but not on
 * React StrictMode's simulated unmount/remount (the remount cancels the pending release): stopping
 * a camera or leaving a call there would end them for real.
 */
export function useRelease<T>(resource: T | null, release: (resource: T) => void): void {
  useEffect(() => {
    if (resource === null) return;
    const pending = pendingReleases.get(resource);
    if (pending) {
      clearTimeout(pending);
      pendingReleases.delete(resource);
    }
    return () => {
      pendingReleases.set(
        resource,
        setTimeout(() => {
          pendingReleases.delete(resource);
          release(resource);
        }, 0),
      );
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- release is a stable module function
  }, [resource]);
}

const pendingReleases = new Map<unknown, ReturnType<typeof setTimeout>>();
