import { readdirSync, readFileSync } from 'node:fs';

/**
 * pidusage-style process figures straight from Linux /proc (no dependency): CPU ticks, RSS,
 * threads, open file descriptors, and a process's children. The parsers are pure; the readers
 * return null for a process that has gone.
 */

/** USER_HZ: /proc reports CPU time in these ticks (100 on every Linux Node supports). */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface StatFields {
  comm: string;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  threads: number;
}

/** Parses /proc/<pid>/stat. comm may contain spaces and parentheses, so split at the last ')'. */
export function parseStat(text: string): StatFields {
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  // Fields after comm, numbered from 3 (state) as in proc(5).
  const f = text.slice(close + 2).trim().split(' ');
  const field = (n: number) => Number(f[n - 3]);
  return { comm, ppid: field(4), cpuTicks: field(14) + field(15), threads: field(20) };
}

/** Resident set size in bytes from /proc/<pid>/status (VmRSS, reported in kB); 0 if absent. */
export function parseRssBytes(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return m ? Number(m[1]) * 1024 : 0;
}

export interface ProcessSample {
  pid: number;
  comm: string;
  cpuTicks: number;
  rssBytes: number;
  threads: number;
  fds: number;
}

export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rssBytes = parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    let fds = 0;
    try {
      fds = readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // another user's process: fds stay unknown (0)
    }
    return { pid, comm: stat.comm, cpuTicks: stat.cpuTicks, rssBytes, threads: stat.threads, fds };
  } catch {
    return null;
  }
}

/** Direct children of `pid` whose command line contains `match` (all children without it). */
export function childPids(pid: number, match?: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8')).ppid !== pid) continue;
      if (match && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(match)) continue;
      out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** CPU use between two samples of one process, % of one core. */
export const cpuPercent = (before: ProcessSample, after: ProcessSample, seconds: number): number =>
  ((after.cpuTicks - before.cpuTicks) / CLOCK_TICKS_PER_SECOND / seconds) * 100;
