import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Child processes for tests: each in its own process group (so npm/tsx/next subtrees die with it),
 * logs kept for failure messages, always killed — on stop(), and on this process's exit as a
 * last resort.
 */

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** The last lines of stdout+stderr, for error messages. */
  logs(): string;
  /** Everything it wrote to stdout+stderr (up to 16 MiB), for checks on what logs hold. */
  fullLogs(): string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export function startProcess(name: string, command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ManagedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  live.add(child);
  let buffer = '';
  const everything: Buffer[] = [];
  let everythingBytes = 0;
  const append = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString()).slice(-20_000);
    if (everythingBytes + chunk.length <= 16 * 2 ** 20) {
      everything.push(chunk);
      everythingBytes += chunk.length;
    }
    if (process.env.E2E_VERBOSE) process.stderr.write(`[${name}] ${chunk.toString()}`);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => live.delete(child));
  return {
    name,
    child,
    logs: () => buffer.split('\n').slice(-40).join('\n'),
    fullLogs: () => Buffer.concat(everything).toString('utf8'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port that was free a moment ago (the OS picks it; the race with other binds is negligible here). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `url` until it answers 2xx; fails early if the process exits, with its logs. */
export async function waitForHttp(url: string, proc: ManagedProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready:\n${proc.logs()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${proc.name} not ready at ${url} after ${timeoutMs} ms (${lastError}):\n${proc.logs()}`);
}
