import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { seededRandom } from '@moodroom/shared/fuzz';
import {
  AnalyticsClientEvents,
  AnalyticsEvents,
  DASHBOARD_NAMESPACE,
  EMOTIONS,
  badRequest,
  dominantEmotion,
  ok,
  valenceOf,
  type AnalyzerStatus,
  type EmotionProbs,
  type EmotionSample,
  type RosterEntry,
  type SessionInfo,
} from '@moodroom/shared';

/**
 * A stand-in for the analyzer's /dashboard namespace on loopback: the real protocol (token in the
 * handshake, subscribe → Ack, then events), every payload checked against the shared schemas
 * before it is sent, and synthetic but plausible estimates: each person's expression drifts
 * (a random walk in logit space, some people leaning negative), with occasional windows
 * without a face. History is back-filled, as if the dashboard were opened mid-session.
 */

export interface FakeAnalyzerOptions {
  sessionId: string;
  token: string;
  participants: number;
  /** Windows per second per participant. */
  rate: number;
  statusEveryMs: number;
  historyMs: number;
  corsOrigin: string;
}

export interface FakeAnalyzer {
  url: string;
  samplesSent(): number;
  stop(): Promise<void>;
}

function softmax(logits: number[]): EmotionProbs {
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return Object.fromEntries(EMOTIONS.map((e, i) => [e, exps[i]! / sum])) as EmotionProbs;
}

class SyntheticPerson {
  private readonly logits: number[];
  private readonly bias: number[];
  constructor(
    readonly participantId: string,
    private readonly random: () => number,
    negative: boolean,
  ) {
    // Mostly neutral with some happy; a few people lean sad/angry so alerts get exercised.
    this.bias = EMOTIONS.map((e) => (e === 'neutral' ? 1.5 : e === 'happy' ? 0.8 : negative && (e === 'sad' || e === 'angry') ? 1.2 : 0));
    this.logits = [...this.bias];
  }
  next(sessionId: string, t: number, stepMs: number): EmotionSample {
    for (let i = 0; i < this.logits.length; i++) {
      // Mean-reverting walk: expressions change, then settle back.
      this.logits[i] = this.logits[i]! + 0.15 * (this.bias[i]! - this.logits[i]!) + (this.random() - 0.5) * 0.8;
    }
    const face = this.random() > 0.05;
    const probs = face ? softmax(this.logits) : null;
    return {
      sessionId,
      participantId: this.participantId,
      t,
      windowStart: t - stepMs,
      probs,
      dominant: probs ? dominantEmotion(probs) : null,
      valence: probs ? Math.max(-1, Math.min(1, valenceOf(probs))) : null,
      facePresent: face,
      faceCount: face ? 1 : 0,
      quality: face ? 0.7 + this.random() * 0.3 : 0,
      model: 'bench-synthetic',
    };
  }
}

function checked<T>(schema: { parse(v: unknown): T }, value: unknown): T {
  return schema.parse(value);
}

export async function startFakeAnalyzer(o: FakeAnalyzerOptions): Promise<FakeAnalyzer> {
  const now = Date.now();
  const session: SessionInfo = { sessionId: o.sessionId, title: `Bench: ${o.participants} participants`, purpose: 'render benchmark', analysisEnabled: true, retentionDays: 1, createdAt: now - o.historyMs, endedAt: null };
  // Seeded, so both rendering modes see the same kind of stream.
  const random = seededRandom(42);
  const people = Array.from({ length: o.participants }, (_, i) => new SyntheticPerson(`p${String(i).padStart(2, '0')}-bench`, random, i % 5 === 4));
  const roster: RosterEntry[] = people.map((p, i) => ({ participantId: p.participantId, displayName: `Person ${i + 1}`, analysisConsent: true, joinedAt: now - o.historyMs, leftAt: null }));
  const stepMs = Math.round(1000 / o.rate);
  const history: EmotionSample[] = [];
  for (let t = now - o.historyMs; t < now; t += stepMs) for (const p of people) history.push(checked(AnalyticsEvents.sample, p.next(o.sessionId, t, stepMs)));

  const http = createServer((_req, res) => res.writeHead(404).end());
  const io = new Server(http, { cors: { origin: o.corsOrigin }, transports: ['websocket'] });
  const nsp = io.of(DASHBOARD_NAMESPACE);
  nsp.use((socket, next) => {
    if (socket.handshake.auth?.token === o.token) return next();
    const err = new Error('this dashboard key is not valid for this server') as Error & { data?: unknown };
    err.data = { code: 'UNAUTHORIZED' };
    next(err);
  });
  nsp.on('connection', (socket) => {
    socket.on('subscribe', (payload: unknown, ack: (a: unknown) => void) => {
      const req = AnalyticsClientEvents.subscribe.request.safeParse(payload);
      if (!req.success) return ack(badRequest('subscribe', req.error));
      socket.join(req.data.sessionId);
      const since = Date.now() - (req.data.historyMs ?? o.historyMs);
      ack(ok(checked(AnalyticsClientEvents.subscribe.response, { sessionId: o.sessionId, session, participants: roster, recentSamples: history.filter((s) => s.t >= since) })));
    });
  });

  let sent = 0;
  const timers: NodeJS.Timeout[] = [];
  // People are staggered across the second, as real pipelines are.
  people.forEach((p, i) => {
    timers.push(
      setTimeout(() => {
        const emit = () => {
          const s = checked(AnalyticsEvents.sample, p.next(o.sessionId, Date.now(), stepMs));
          history.push(s);
          if (history.length > o.participants * (o.historyMs / stepMs) * 1.2) history.splice(0, o.participants);
          nsp.to(o.sessionId).emit('sample', s);
          sent++;
        };
        timers.push(setInterval(emit, stepMs));
      }, (i * stepMs) / o.participants),
    );
  });
  timers.push(
    setInterval(() => {
      const status: AnalyzerStatus = {
        sessionId: o.sessionId,
        t: Date.now(),
        effectiveFps: 5,
        strideMs: stepMs,
        loadLevel: 0,
        overloaded: false,
        inferenceQueueDepth: 0,
        participants: people.map((p) => ({ participantId: p.participantId, analysedFps: 4.6 + random() * 0.4, droppedFrames: 0, latencyP50Ms: 80 + random() * 30, latencyP95Ms: 160 + random() * 60 })),
      };
      nsp.to(o.sessionId).emit('analyzerStatus', checked(AnalyticsEvents.analyzerStatus, status));
    }, o.statusEveryMs),
  );

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    samplesSent: () => sent,
    async stop() {
      for (const t of timers) clearTimeout(t);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
