import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { Observable, Subject } from 'rxjs';
import type { z } from 'zod';
import {
  FrameDecoder,
  receiverChildMessageSchema,
  type ConsumerParameters,
  type ReceiverChildMessage,
  type ReceiverOutputFormat,
  type ReceiverParentMessage,
  type ReceiverStats,
  type TransportOptions,
  type VideoFrame,
  type dtlsParametersSchema,
  type rtpCapabilitiesSchema,
} from '@moodroom/shared';

export type RtpCapabilities = z.infer<typeof rtpCapabilitiesSchema>;
export type DtlsParameters = z.infer<typeof dtlsParametersSchema>;

/**
 * What the receiver needs from the SFU, one call per SFU request. The analyzer implements it over
 * its SFU connection; the receiver child never talks to the SFU itself.
 */
export interface ReceiverSignalling {
  /** The room router's RTP capabilities (the SFU's join response). */
  routerRtpCapabilities: RtpCapabilities;
  /** SFU: create a receive WebRtcTransport for this receiver. */
  createTransport(): Promise<TransportOptions>;
  /** SFU: transport.connect({ dtlsParameters }). */
  connectTransport(request: { transportId: string; dtlsParameters: DtlsParameters }): Promise<void>;
  /** SFU: transport.consume({ producerId, rtpCapabilities, paused: true }) for the camera to analyse. */
  consume(request: { transportId: string; rtpCapabilities: RtpCapabilities }): Promise<ConsumerParameters>;
  /** SFU: consumer.resume(), then consumer.requestKeyFrame() (the first key frame is lost otherwise). */
  resumeConsumer(request: { consumerId: string }): Promise<void>;
  /** SFU: close the transport (called once the child is gone, whatever the reason). */
  closeTransport?(request: { transportId: string }): Promise<void> | void;
}

export interface ReceiverOptions {
  signalling: ReceiverSignalling;
  /** Frames per second forwarded at most; the child drops the rest before they cross the pipe. */
  maxFps: number;
  /** 'i420' (default, what the decoder produces) or 'rgba' (converted in the child). */
  format?: ReceiverOutputFormat;
  /** How often the child reports stats (default 1000 ms). */
  statsIntervalMs?: number;
  /** Time allowed from spawn to "ready" (default 20 s). */
  setupTimeoutMs?: number;
  /** Names the stream in errors and logs (e.g. the participant id). */
  label?: string;
  /** Lines the child printed (stdout/stderr), for the caller's logger. */
  onLog?: (line: string) => void;
  onStats?: (stats: ReceiverProcessStats) => void;
  /** Node arguments for the child (default: load tsx, since the child is TypeScript). */
  nodeArgs?: string[];
}

export interface ReceiverProcessStats extends ReceiverStats {
  /** Frames that reached this process. */
  framesReceived: number;
  pid: number | undefined;
}

export interface ReceiverExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The child's own account (its "closing" reason or fatal error), when it gave one. */
  reason: string | null;
  /** true when this side asked for the shutdown. */
  requested: boolean;
}

/** The receiver child died or failed; the stream is gone. Restarting is the caller's decision. */
export class ReceiverCrashedError extends Error {
  constructor(
    message: string,
    readonly exit: ReceiverExit | null,
    readonly logTail: string[],
  ) {
    super(message);
    this.name = 'ReceiverCrashedError';
  }
}

const CHILD_PATH = fileURLToPath(new URL('./child.ts', import.meta.url));
const LOG_TAIL_LINES = 20;
const CLOSE_GRACE_MS = 3000;

function defaultNodeArgs(): string[] {
  try {
    return ['--import', import.meta.resolve('tsx')];
  } catch {
    return ['--import', 'tsx'];
  }
}

function describeExit(exit: ReceiverExit): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `${how}${exit.reason ? ` (${exit.reason})` : ''}`;
}

/**
 * One receiver child process consuming one video track. `frames$` is hot: it emits decoded frames,
 * completes when the child ends cleanly (closed by us, or the track/transport ended), and errors
 * with ReceiverCrashedError when the child crashes, fails to set up, or misbehaves.
 */
export class ReceiverProcess {
  readonly frames$: Observable<VideoFrame>;
  readonly exited: Promise<ReceiverExit>;
  private readonly frames = new Subject<VideoFrame>();
  private readonly child: ChildProcess;
  private readonly decoder = new FrameDecoder();
  private readonly logTail: string[] = [];
  private readonly label: string;
  private childStats: ReceiverStats | null = null;
  private framesReceived = 0;
  private transportId: string | null = null;
  private closeRequested = false;
  private lastReason: string | null = null;
  private failure: ReceiverCrashedError | null = null;
  private waiters = new Map<ReceiverChildMessage['type'], (message: ReceiverChildMessage) => void>();

  constructor(private readonly options: ReceiverOptions) {
    this.label = options.label ? `receiver "${options.label}"` : 'receiver';
    this.frames$ = this.frames.asObservable();
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? defaultNodeArgs()), CHILD_PATH], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) this.captureLog(stream);
    const framePipe = this.child.stdio[3] as Readable;
    framePipe.on('data', (chunk: Buffer) => this.onFrameBytes(chunk));
    framePipe.on('error', () => {}); // the child's exit reports what happened
    this.child.on('message', (raw) => this.onMessage(raw));
    this.child.on('error', (error) => this.fail(`could not start the receiver child: ${error.message}`));
    // 'close' (not 'exit'): stdio is drained by then, so no frame is lost behind the exit event.
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        const exit: ReceiverExit = { code, signal, reason: this.lastReason, requested: this.closeRequested };
        this.finish(exit);
        resolve(exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stats(): ReceiverProcessStats {
    const base: ReceiverStats = this.childStats ?? {
      framesDecoded: 0,
      framesSent: 0,
      framesDroppedRate: 0,
      framesDroppedBackpressure: 0,
      decodeFps: 0,
      width: 0,
      height: 0,
      connectionState: 'new',
    };
    return { ...base, framesReceived: this.framesReceived, pid: this.child.pid };
  }

  /**
   * Runs the setup handshake (see frames.ts): transport, device capabilities, consume, DTLS
   * connect, ready → resume. Resolves once the SFU resumed the consumer; rejects (and kills the
   * child) on any failure or after setupTimeoutMs.
   */
  async start(): Promise<void> {
    const { signalling } = this.options;
    const timeoutMs = this.options.setupTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`setup did not finish within ${timeoutMs} ms`)), timeoutMs);
    });
    const steps = async () => {
      const transport = await signalling.createTransport();
      this.transportId = transport.id;
      const initialized = this.waitFor('initialized');
      this.sendToChild({
        type: 'init',
        routerRtpCapabilities: signalling.routerRtpCapabilities,
        transport,
        maxFps: this.options.maxFps,
        format: this.options.format ?? 'i420',
        statsIntervalMs: this.options.statsIntervalMs ?? 1000,
      });
      const { rtpCapabilities } = (await initialized) as Extract<ReceiverChildMessage, { type: 'initialized' }>;
      const consumer = await signalling.consume({ transportId: transport.id, rtpCapabilities });
      if (consumer.kind !== 'video') throw new Error(`the SFU returned a ${consumer.kind} consumer; receivers decode video only`);
      const ready = this.waitFor('ready');
      this.sendToChild({ type: 'consume', consumer });
      await ready;
      await signalling.resumeConsumer({ consumerId: consumer.id });
    };
    const exitedDuringSetup = this.exited.then((exit) => {
      throw this.failure ?? new Error(`the child ${describeExit(exit)} during setup`);
    });
    exitedDuringSetup.catch(() => {}); // only matters while setup runs
    try {
      await Promise.race([steps(), timeout, exitedDuringSetup]);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failure = error instanceof ReceiverCrashedError ? error : new ReceiverCrashedError(`${this.label} setup failed: ${message}`, null, [...this.logTail]);
      this.fail(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks the child to shut down (then SIGKILLs it after a grace period); resolves on exit. */
  async close(): Promise<ReceiverExit> {
    this.closeRequested = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.send({ type: 'close' } satisfies ReceiverParentMessage, () => {});
      const killTimer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_GRACE_MS);
      const exit = await this.exited;
      clearTimeout(killTimer);
      return exit;
    }
    return this.exited;
  }

  private waitFor(type: ReceiverChildMessage['type']): Promise<ReceiverChildMessage> {
    return new Promise((resolve) => this.waiters.set(type, resolve));
  }

  private sendToChild(message: ReceiverParentMessage): void {
    if (this.child.connected) this.child.send(message, () => {});
  }

  private captureLog(stream: Readable | null): void {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.log(line);
    });
    stream.on('end', () => partial && this.log(partial));
  }

  private log(line: string): void {
    this.logTail.push(line);
    if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
    this.options.onLog?.(line);
  }

  private onFrameBytes(chunk: Buffer): void {
    if (this.failure) return;
    let frames: VideoFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(`${this.label} sent a corrupt frame stream: ${(error as Error).message}`);
      return;
    }
    for (const frame of frames) {
      this.framesReceived++;
      this.frames.next(frame);
    }
  }

  private onMessage(raw: unknown): void {
    const parsed = receiverChildMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.fail(`${this.label} sent an invalid control message${issue ? ` (${issue.path.join('.') || '(root)'}: ${issue.message})` : ''}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'connectTransport':
        void this.relayConnect(message);
        break;
      case 'stats':
        this.childStats = message.stats;
        this.options.onStats?.(this.stats);
        break;
      case 'error':
        this.lastReason = message.message;
        this.log(`[child error${message.fatal ? ', fatal' : ''}] ${message.message}`);
        break;
      case 'closing':
        this.lastReason ??= message.reason;
        break;
    }
    const waiter = this.waiters.get(message.type);
    if (waiter) {
      this.waiters.delete(message.type);
      waiter(message);
    }
  }

  private async relayConnect(message: Extract<ReceiverChildMessage, { type: 'connectTransport' }>): Promise<void> {
    if (message.transportId !== this.transportId) {
      this.sendToChild({ type: 'transportConnectFailed', message: `unknown transport ${message.transportId}` });
      return;
    }
    try {
      await this.options.signalling.connectTransport({ transportId: message.transportId, dtlsParameters: message.dtlsParameters });
      this.sendToChild({ type: 'transportConnected' });
    } catch (error) {
      this.sendToChild({ type: 'transportConnectFailed', message: (error instanceof Error ? error.message : String(error)).slice(0, 2000) });
    }
  }

  /** Records the first failure and kills the child; `finish` turns it into the frames$ error. */
  private fail(reason: string | ReceiverCrashedError): void {
    if (this.failure) return;
    this.failure = typeof reason === 'string' ? new ReceiverCrashedError(reason, null, [...this.logTail]) : reason;
    this.child.kill('SIGKILL');
  }

  private finish(exit: ReceiverExit): void {
    if (this.transportId) {
      Promise.resolve()
        .then(() => this.options.signalling.closeTransport?.({ transportId: this.transportId! }))
        .catch((error: unknown) => this.log(`closeTransport failed: ${error instanceof Error ? error.message : String(error)}`));
    }
    if (this.failure) {
      this.frames.error(new ReceiverCrashedError(`${this.failure.message}; the child ${describeExit(exit)}`, exit, this.failure.logTail));
      return;
    }
    const clean = exit.code === 0 && exit.signal === null;
    if (clean || (exit.requested && exit.signal === 'SIGKILL')) {
      this.frames.complete();
      return;
    }
    this.frames.error(new ReceiverCrashedError(`${this.label} ${describeExit(exit)}`, exit, [...this.logTail]));
  }
}

/**
 * Frames of one consumed video track as a cold Observable: subscribing spawns a receiver child and
 * runs the setup handshake, unsubscribing shuts the child down. Errors with ReceiverCrashedError
 * when the child crashes or setup fails (e.g. `retry({ count, delay })` to restart: every
 * subscription gets a fresh child, transport and consumer through `signalling`).
 */
export function receiveFrames(options: ReceiverOptions): Observable<VideoFrame> {
  return new Observable<VideoFrame>((subscriber) => {
    const receiver = new ReceiverProcess(options);
    const subscription = receiver.frames$.subscribe(subscriber);
    receiver.start().catch(() => {}); // a setup failure arrives through frames$ as an error
    return () => {
      subscription.unsubscribe();
      void receiver.close();
    };
  });
}
