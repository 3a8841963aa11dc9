import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { receiverChildMessageSchema, type ReceiverChildMessage } from '@moodroom/shared';
import { ReceiverCrashedError, ReceiverProcess, receiveFrames, type ReceiverSignalling, type RtpCapabilities } from '../src/receiver/index.ts';
import { LoopbackSfu } from '../src/receiver/testing/loopback-sfu.ts';

/**
 * The receiver child's lifecycle and control protocol, with real child processes and a real
 * mediasoup router (its capabilities and transports), but no media: every test here stops before
 * DTLS. Media flow is in receiver-live.test.ts.
 */

const CHILD_SCRIPT = fileURLToPath(new URL('../src/receiver/child.ts', import.meta.url));
const RECEIVER_MODULE = fileURLToPath(new URL('../src/receiver/receiver-process.ts', import.meta.url));

let sfu: LoopbackSfu | null = null;
let skipReason: string | false = false;

function receiverChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(CHILD_SCRIPT)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Real SFU transport creation; consume hands the child's capabilities to the test and then hangs (no media needed). */
function stalledSignalling(overrides: Partial<ReceiverSignalling> = {}) {
  const real = sfu!.receiverSignalling('no-producer');
  let capabilities!: (caps: RtpCapabilities) => void;
  const gotCapabilities = new Promise<RtpCapabilities>((resolve) => (capabilities = resolve));
  const closed: string[] = [];
  const signalling: ReceiverSignalling = {
    ...real,
    consume: ({ rtpCapabilities }) => {
      capabilities(rtpCapabilities);
      return new Promise(() => {});
    },
    closeTransport: (request) => {
      closed.push(request.transportId);
      return real.closeTransport!(request);
    },
    ...overrides,
  };
  return { signalling, gotCapabilities, closed, transports: real.transports };
}

before(async () => {
  try {
    sfu = await LoopbackSfu.start({ offerH264: true });
  } catch (error) {
    skipReason = `mediasoup cannot start a worker here (${(error as Error).message}); build it with scripts/setup/mediasoup-worker.sh`;
  }
});

after(async () => {
  sfu?.close();
  await waitUntil(() => receiverChildren().length === 0, 5000, 'every receiver child to exit').catch(() => {});
  assert.deepEqual(receiverChildren(), [], 'no receiver child process is left behind');
});

describe('receiver child process', () => {
  it('hands the SFU the decoder capabilities (VP8/VP9, never H264) and closes cleanly', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { signalling, gotCapabilities, closed, transports } = stalledSignalling();
    const receiver = new ReceiverProcess({ signalling, maxFps: 5, label: 'alice' });
    const completed = new Promise<void>((resolve, reject) => receiver.frames$.subscribe({ complete: resolve, error: reject }));
    receiver.start().catch(() => {});
    const caps = await gotCapabilities;
    const videoCodecs = (caps.codecs ?? []).filter((c) => c.kind === 'video').map((c) => c.mimeType.toLowerCase());
    assert.ok(videoCodecs.includes('video/vp8'), `VP8 in ${videoCodecs.join(', ')}`);
    assert.ok(!videoCodecs.includes('video/h264'), 'no H264 (node-webrtc cannot decode it)');
    assert.equal(transports.length, 1);
    const exit = await receiver.close();
    assert.deepEqual({ code: exit.code, signal: exit.signal, requested: exit.requested }, { code: 0, signal: null, requested: true });
    assert.equal(exit.reason, 'closed by the parent');
    await completed;
    await waitUntil(() => closed.length === 1, 2000, 'the SFU transport to be closed');
    assert.equal(closed[0], transports[0]!.id);
  });

  it('reports a SIGKILLed child as ReceiverCrashedError and keeps the parent working', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { signalling, gotCapabilities } = stalledSignalling();
    const receiver = new ReceiverProcess({ signalling, maxFps: 5, label: 'bob' });
    const failed = new Promise<unknown>((resolve) => receiver.frames$.subscribe({ error: resolve, complete: () => resolve(null) }));
    const setup = receiver.start();
    await gotCapabilities;
    process.kill(receiver.pid!, 'SIGKILL');
    const error = await failed;
    assert.ok(error instanceof ReceiverCrashedError, `got ${String(error)}`);
    assert.equal(error.exit?.signal, 'SIGKILL');
    assert.match(error.message, /receiver "bob" was killed by SIGKILL/);
    await assert.rejects(setup, ReceiverCrashedError);
    // The parent is fine: another receiver starts and reaches the same point.
    const second = stalledSignalling();
    const again = new ReceiverProcess({ signalling: second.signalling, maxFps: 5 });
    again.start().catch(() => {});
    await second.gotCapabilities;
    await again.close();
  });

  it('gives up on a setup that does not finish, and kills the child', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { signalling } = stalledSignalling({ createTransport: () => new Promise(() => {}) });
    const receiver = new ReceiverProcess({ signalling, maxFps: 5, setupTimeoutMs: 800 });
    const failed = new Promise<unknown>((resolve) => receiver.frames$.subscribe({ error: resolve }));
    await assert.rejects(receiver.start(), /setup failed: setup did not finish within 800 ms/);
    assert.ok((await failed) instanceof ReceiverCrashedError);
    const exit = await receiver.exited;
    assert.equal(exit.signal, 'SIGKILL');
  });

  it('surfaces an SFU refusal during setup as a setup failure', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { signalling } = stalledSignalling({
      consume: () => Promise.reject(new Error('NOT_FOUND: producer is gone')),
    });
    const receiver = new ReceiverProcess({ signalling, maxFps: 5 });
    receiver.frames$.subscribe({ error: () => {} });
    await assert.rejects(receiver.start(), /setup failed: NOT_FOUND: producer is gone/);
  });

  it('unsubscribing from receiveFrames shuts the child down', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const { signalling, gotCapabilities } = stalledSignalling();
    const before = receiverChildren().length;
    const subscription = receiveFrames({ signalling, maxFps: 5 }).subscribe({ error: () => {} });
    await gotCapabilities;
    assert.equal(receiverChildren().length, before + 1);
    subscription.unsubscribe();
    await waitUntil(() => receiverChildren().length === before, 5000, 'the child to exit');
  });

  it('exits when its parent dies (IPC closed), without being told', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    // A parent process that starts a receiver, reports the child's pid, and is then SIGKILLed.
    const parentCode = `
      import { ReceiverProcess } from ${JSON.stringify(RECEIVER_MODULE)};
      const receiver = new ReceiverProcess({
        maxFps: 5,
        signalling: { routerRtpCapabilities: {}, createTransport: () => new Promise(() => {}), connectTransport: async () => {}, consume: () => new Promise(() => {}), resumeConsumer: async () => {} },
      });
      receiver.start().catch(() => {});
      receiver.frames$.subscribe({ error: () => {} });
      console.log('child', receiver.pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', parentCode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const childPid = await new Promise<number>((resolve, reject) => {
      parent.stdout!.on('data', (text: Buffer) => {
        const match = /child (\d+)/.exec(text.toString());
        if (match) resolve(Number(match[1]));
      });
      parent.on('exit', () => reject(new Error('the parent exited early')));
    });
    await waitUntil(() => isAlive(childPid), 2000, 'the child to run');
    await new Promise((r) => setTimeout(r, 300)); // let the child register its IPC handlers
    parent.kill('SIGKILL');
    await waitUntil(() => !isAlive(childPid), 5000, 'the orphaned child to exit');
  });

  it('refuses malformed control messages with a fatal error naming the field', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'ipc'] });
    const messages: ReceiverChildMessage[] = [];
    child.on('message', (raw) => messages.push(receiverChildMessageSchema.parse(raw)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.send({ type: 'init', maxFps: 'fast', format: 'i420' });
    assert.equal(await exited, 1);
    const error = messages.find((m) => m.type === 'error');
    assert.ok(error && error.type === 'error' && error.fatal, `messages: ${JSON.stringify(messages)}`);
    assert.match(error.message, /invalid control message from the parent at/);
  });

  it('refuses to be started by hand (no IPC channel)', { skip: skipReason }, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /started by the analyzer/);
  });
});
