import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { childPids } from './servers.ts';

/** A file a process holds open for writing (Linux /proc). */
export interface WritableFile {
  pid: number;
  fd: number;
  path: string;
  bytes: number;
}

/** `pid` and all its descendants (receiver children, their helpers). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      all.push(...childPids(all[i]!));
    } catch {
      // exited meanwhile
    }
  }
  return all;
}

/**
 * Every regular file the process tree of `pid` has open with write access, from /proc/<pid>/fd and
 * the access mode in /proc/<pid>/fdinfo (O_WRONLY or O_RDWR). Pipes, sockets and devices are not
 * files anyone can find later, so they are left out.
 */
export function writableFilesOf(pid: number): WritableFile[] {
  const found: WritableFile[] = [];
  for (const p of processTree(pid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${p}/fd/${fd}`);
        if (!target.startsWith('/') || target.startsWith('/dev/') || target.startsWith('/proc/')) continue;
        const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/${p}/fdinfo/${fd}`, 'utf8'))?.[1];
        if (flags === undefined || (parseInt(flags, 8) & 3) === 0) continue;
        const path = target.replace(/ \(deleted\)$/, '');
        let bytes = -1;
        try {
          bytes = statSync(`/proc/${p}/fd/${fd}`).size;
        } catch {
          // closed meanwhile
        }
        found.push({ pid: p, fd: Number(fd), path, bytes });
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}

/** Emotion values in a log: an emotion label next to a number, as JSON or text. */
export const EMOTION_VALUE_IN_LOG = /["']?\b(happy|sad|neutral|angry|surprise|disgust|fear)\b["']?\s*[:=]\s*-?\d*\.?\d/i;
