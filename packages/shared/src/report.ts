import type { EmotionSample } from './analytics.ts';
import { EMOTIONS, valenceOf, dominantEmotion, type Emotion, type EmotionProbs } from './emotions.ts';
import { combineMood, probsDistance } from './mood.ts';
import type { KeyMoment, MoodPoint, ParticipantReport, RosterEntry, SessionInfo, SessionReport } from './sessions.ts';

/**
 * The post-session report, built from what the analyzer stored. Pure and deterministic (same
 * input, same report, `now` included) so the analyzer endpoint stays a thin wrapper and the
 * numbers can be checked in isolation. Nothing is inferred for people without samples: a
 * participant who did not consent is listed with `analysed: false` and empty statistics.
 */

export interface BuildSessionReportInput {
  session: SessionInfo;
  participants: RosterEntry[];
  consentEvents: { participantId: string; t: number; analysisConsent: boolean }[];
  samples: EmotionSample[];
  now: number;
  /** The analyzer's nominal window stride; spacing beyond 2× this counts as a gap. Default 1000. */
  strideMs?: number;
}

/** Charts stay cheap to draw and to ship whatever the session length. */
export const MAX_REPORT_POINTS = 600;
/** Room-mood buckets are at least this wide: a few windows per person, so the mean is not jittery. */
export const ROOM_MOOD_BUCKET_MS = 5_000;
/** Key moments compare the mean estimate over this long before and after a point. */
export const KEY_MOMENT_WINDOW_MS = 10_000;
export const KEY_MOMENT_MIN_MAGNITUDE = 0.2;
export const KEY_MOMENT_MIN_SPACING_MS = 30_000;
/** Longest stretch without a face that a key moment may straddle. */
export const KEY_MOMENT_MAX_BRIDGE_MS = 60_000;
export const MAX_KEY_MOMENTS = 5;
/** Quality notes skip trivia: a couple of lost windows are not worth a sentence. */
const NOTE_MIN_MS = 5_000;

const DEFAULT_STRIDE_MS = 1_000;

export function buildSessionReport(input: BuildSessionReportInput): SessionReport {
  const strideMs = input.strideMs && input.strideMs > 0 ? input.strideMs : DEFAULT_STRIDE_MS;
  const samples = input.samples
    .filter((s) => s.sessionId === input.session.sessionId)
    .slice()
    .sort((a, b) => a.t - b.t || a.windowStart - b.windowStart || cmp(a.participantId, b.participantId));

  const from = samples.length > 0 ? samples[0]!.t : null;
  const to = samples.length > 0 ? samples[samples.length - 1]!.t : null;

  const byParticipant = new Map<string, EmotionSample[]>();
  for (const s of samples) {
    const list = byParticipant.get(s.participantId);
    if (list) list.push(s);
    else byParticipant.set(s.participantId, [s]);
  }

  const people = rosterWithStrangers(input.participants, [...byParticipant.keys()]);
  const timelineGrid = from !== null && to !== null ? grid(from, to, strideMs) : null;
  const roomGrid = from !== null && to !== null ? grid(from, to, ROOM_MOOD_BUCKET_MS) : null;

  const participants: ParticipantReport[] = [];
  const stats = new Map<string, ParticipantStats>();
  for (const person of people) {
    const own = byParticipant.get(person.participantId) ?? [];
    const st = participantStats(own, strideMs);
    stats.set(person.participantId, st);
    participants.push({
      participantId: person.participantId,
      displayName: person.displayName,
      analysed: own.length > 0,
      samples: own.length,
      meanProbs: st.meanProbs && roundProbs(st.meanProbs),
      dominantShare: st.dominantShare,
      meanValence: st.meanValence === null ? null : round4(clamp(st.meanValence, -1, 1)),
      timeline: timelineGrid && own.length > 0 ? participantTimeline(own, timelineGrid) : [],
      faceVisibleShare: st.analysedMs > 0 ? round4(st.faceMs / st.analysedMs) : 0,
      noFaceMs: Math.round(st.noFaceMs),
      gapMs: Math.round(st.gapMs),
      meanQuality: st.meanQuality === null ? null : round4(clamp(st.meanQuality, 0, 1)),
      consentChanges: input.consentEvents
        .filter((e) => e.participantId === person.participantId)
        .slice()
        .sort((a, b) => a.t - b.t)
        .map((e) => ({ t: e.t, analysisConsent: e.analysisConsent })),
    });
  }

  const models = [...new Set(samples.map((s) => s.model))].sort(cmp);
  return {
    session: input.session,
    generatedAt: input.now,
    from,
    to,
    totalSamples: samples.length,
    models,
    participants,
    roomMood: roomGrid ? roomMood(byParticipant, roomGrid) : [],
    keyMoments: keyMoments(byParticipant, strideMs),
    qualityNotes: qualityNotes({ session: input.session, participants, stats, models, roster: input.participants, consentEvents: input.consentEvents }),
  };
}

// ---- per participant ---------------------------------------------------------------------------

interface ParticipantStats {
  meanProbs: EmotionProbs | null;
  dominantShare: Record<Emotion, number>;
  meanValence: number | null;
  meanQuality: number | null;
  /** Time the samples account for: each covers the spacing since the previous one, capped at 2× stride. */
  analysedMs: number;
  faceMs: number;
  noFaceMs: number;
  gapMs: number;
  multiFaceMs: number;
}

function participantStats(own: readonly EmotionSample[], strideMs: number): ParticipantStats {
  const cap = 2 * strideMs;
  let analysedMs = 0, faceMs = 0, noFaceMs = 0, gapMs = 0, multiFaceMs = 0, quality = 0, valence = 0;
  const faces: EmotionProbs[] = [];
  const dominantCount = zeroProbs();
  own.forEach((s, i) => {
    // The first window has no predecessor to measure from; it stands for one stride.
    const spacing = i === 0 ? strideMs : s.t - own[i - 1]!.t;
    const covered = Math.min(spacing, cap);
    gapMs += Math.max(0, spacing - cap);
    analysedMs += covered;
    quality += s.quality;
    if (s.faceCount > 1) multiFaceMs += covered;
    if (s.probs) {
      faceMs += covered;
      faces.push(s.probs);
      valence += s.valence ?? valenceOf(s.probs);
      dominantCount[s.dominant ?? dominantEmotion(s.probs)] += 1;
    } else {
      noFaceMs += covered;
    }
  });
  const dominantShare = zeroProbs();
  if (faces.length > 0) for (const e of EMOTIONS) dominantShare[e] = round4(dominantCount[e] / faces.length);
  return {
    meanProbs: meanOf(faces),
    dominantShare,
    meanValence: faces.length > 0 ? valence / faces.length : null,
    meanQuality: own.length > 0 ? quality / own.length : null,
    analysedMs, faceMs, noFaceMs, gapMs, multiFaceMs,
  };
}

// ---- time buckets ------------------------------------------------------------------------------

interface Grid {
  origin: number;
  bucketMs: number;
  count: number;
}

/**
 * Buckets from the first to the last sample, at least `minBucketMs` wide and coarse enough for
 * MAX_REPORT_POINTS. Widths are whole multiples of the minimum so the axis stays readable.
 * Every participant's timeline shares the session's grid, so charts line up one above the other.
 */
function grid(from: number, to: number, minBucketMs: number): Grid {
  const needed = Math.ceil((to - from + 1) / MAX_REPORT_POINTS);
  const bucketMs = Math.max(minBucketMs, Math.ceil(needed / minBucketMs) * minBucketMs);
  return { origin: from, bucketMs, count: Math.floor((to - from) / bucketMs) + 1 };
}

function bucketOf(g: Grid, t: number): number {
  return Math.min(g.count - 1, Math.max(0, Math.floor((t - g.origin) / g.bucketMs)));
}

/** Face-window probabilities per bucket (empty arrays where there was no face or no sample). */
function bucketFaces(own: readonly EmotionSample[], g: Grid): EmotionProbs[][] {
  const buckets: EmotionProbs[][] = Array.from({ length: g.count }, () => []);
  for (const s of own) if (s.probs) buckets[bucketOf(g, s.t)]!.push(s.probs);
  return buckets;
}

function moodPoint(t: number, probs: EmotionProbs | null, faces: number): MoodPoint {
  return probs
    ? { t, probs: roundProbs(probs), valence: round4(clamp(valenceOf(probs), -1, 1)), faces }
    : { t, probs: null, valence: null, faces: 0 };
}

/** Dense: one point per bucket, null where no face was seen, so a chart shows gaps as gaps. */
function participantTimeline(own: readonly EmotionSample[], g: Grid): MoodPoint[] {
  return bucketFaces(own, g).map((faces, i) => {
    const mean = meanOf(faces);
    return moodPoint(g.origin + i * g.bucketMs, mean, mean ? 1 : 0);
  });
}

/** Each person counts once per bucket (their bucket mean), whatever their window rate. */
function roomMood(byParticipant: ReadonlyMap<string, EmotionSample[]>, g: Grid): MoodPoint[] {
  const perPerson = [...byParticipant.values()].map((own) => bucketFaces(own, g));
  return Array.from({ length: g.count }, (_, i) => {
    const estimates = perPerson.map((b) => meanOf(b[i]!)).filter((p): p is EmotionProbs => p !== null);
    const mood = combineMood(estimates);
    return moodPoint(g.origin + i * g.bucketMs, mood?.probs ?? null, mood?.faces ?? 0);
  });
}

// ---- key moments -------------------------------------------------------------------------------

/**
 * The largest changes in someone's most likely expression: at each face window, the mean over the
 * KEY_MOMENT_WINDOW_MS worth of face windows before it is compared with the same number from it
 * on. Counting face windows rather than clock time lets a shift that happened while the face was
 * out of view (looked away, camera off briefly) still be found at the first window back; beyond
 * KEY_MOMENT_MAX_BRIDGE_MS of missing data the two sides are too far apart to call it one shift.
 * A change in intensity alone (happy → happy) is not reported: the list reads "from → to".
 */
function keyMoments(byParticipant: ReadonlyMap<string, EmotionSample[]>, strideMs: number): KeyMoment[] {
  const k = Math.max(2, Math.round(KEY_MOMENT_WINDOW_MS / strideMs));
  const maxSpan = KEY_MOMENT_WINDOW_MS + KEY_MOMENT_MAX_BRIDGE_MS;
  const all: KeyMoment[] = [];
  for (const [participantId, own] of byParticipant) {
    const faces = own.filter((s): s is EmotionSample & { probs: EmotionProbs } => s.probs !== null);
    if (faces.length < 2 * k) continue;
    // prefix[i][e] = sum of probs[e] over faces[0..i): window means in O(1).
    const prefix: EmotionProbs[] = [zeroProbs()];
    for (const s of faces) {
      const prev = prefix[prefix.length - 1]!;
      prefix.push(Object.fromEntries(EMOTIONS.map((e) => [e, prev[e] + s.probs[e]])) as EmotionProbs);
    }
    const mean = (lo: number, hi: number): EmotionProbs =>
      Object.fromEntries(EMOTIONS.map((e) => [e, (prefix[hi]![e] - prefix[lo]![e]) / (hi - lo)])) as EmotionProbs;

    const candidates: (KeyMoment & { index: number })[] = [];
    for (let i = k; i + k <= faces.length; i++) {
      const t = faces[i]!.t;
      if (t - faces[i - k]!.t > maxSpan || faces[i + k - 1]!.t - t > maxSpan) continue;
      const before = mean(i - k, i);
      const after = mean(i, i + k);
      const magnitude = probsDistance(before, after);
      const from = dominantEmotion(before);
      const to = dominantEmotion(after);
      if (magnitude < KEY_MOMENT_MIN_MAGNITUDE || from === to) continue;
      candidates.push({
        index: i,
        t,
        participantId,
        from,
        to,
        magnitude: round4(magnitude),
        valenceChange: round4(clamp(valenceOf(after) - valenceOf(before), -2, 2)),
      });
    }
    // Greedy: the strongest shift wins its neighbourhood, so one transition yields one moment.
    // Neighbourhood = 30 s of clock time and the windows it was measured on, so the two edges of
    // a no-face stretch cannot both report the same switch.
    candidates.sort(byMagnitude);
    const kept: (KeyMoment & { index: number })[] = [];
    for (const c of candidates) {
      if (kept.every((m) => Math.abs(m.t - c.t) >= KEY_MOMENT_MIN_SPACING_MS && Math.abs(m.index - c.index) >= 2 * k)) kept.push(c);
    }
    all.push(...kept.map(({ index: _index, ...moment }) => moment));
  }
  return all.sort(byMagnitude).slice(0, MAX_KEY_MOMENTS).sort((a, b) => a.t - b.t || cmp(a.participantId ?? '', b.participantId ?? ''));
}

function byMagnitude(a: KeyMoment, b: KeyMoment): number {
  return b.magnitude - a.magnitude || a.t - b.t || cmp(a.participantId ?? '', b.participantId ?? '');
}

// ---- notes -------------------------------------------------------------------------------------

function qualityNotes(ctx: {
  session: SessionInfo;
  participants: readonly ParticipantReport[];
  stats: ReadonlyMap<string, ParticipantStats>;
  models: readonly string[];
  roster: readonly RosterEntry[];
  consentEvents: BuildSessionReportInput['consentEvents'];
}): string[] {
  const notes: string[] = [];
  const total = ctx.participants.reduce((n, p) => n + p.samples, 0);
  if (total === 0) {
    notes.push(
      ctx.session.analysisEnabled
        ? 'No emotion estimates were recorded in this session: nobody was analysed (no consent, cameras off or nobody joined).'
        : 'Analysis was switched off for this session: it was a plain call and no estimates exist.',
    );
  }
  if (ctx.models.length > 0) {
    const list = ctx.models.length === 1 ? ctx.models[0]! : `${ctx.models.slice(0, -1).join(', ')} and ${ctx.models[ctx.models.length - 1]!}`;
    const kind = ctx.models.length === 1 ? 'a facial-expression model' : 'facial-expression models';
    notes.push(`Estimates come from ${list}, ${kind}: they describe visible expressions, not what anyone felt.`);
  }
  for (const p of ctx.participants) {
    const everConsented =
      ctx.roster.some((r) => r.participantId === p.participantId && r.analysisConsent) ||
      p.consentChanges.some((c) => c.analysisConsent);
    if (!p.analysed) {
      notes.push(
        everConsented && ctx.session.analysisEnabled
          ? `${p.displayName} allowed analysis, but no estimate was recorded for them (camera off or not analysed).`
          : `${p.displayName} did not allow analysis: no data exists for them.`,
      );
      continue;
    }
    const st = ctx.stats.get(p.participantId)!;
    if (st.noFaceMs >= NOTE_MIN_MS) {
      notes.push(`${p.displayName}'s face was not visible for ${formatDuration(st.noFaceMs)} (${formatShare(st.noFaceMs / st.analysedMs)} of their analysed time).`);
    }
    if (st.gapMs >= NOTE_MIN_MS) {
      notes.push(`Analysis of ${p.displayName} paused for ${formatDuration(st.gapMs)} in total (camera off, consent withdrawn or connection gaps).`);
    }
    if (st.multiFaceMs > 0) {
      notes.push(`More than one face was in ${p.displayName}'s picture for ${formatDuration(st.multiFaceMs)}: those estimates may mix people.`);
    }
    // A "no" only counts as a withdrawal after a "yes" (joining without consent and opting in later is not one).
    if (p.consentChanges.some((c, i) => !c.analysisConsent && p.consentChanges.slice(0, i).some((b) => b.analysisConsent))) {
      notes.push(`${p.displayName} withdrew consent during the session: nothing was analysed while it was withdrawn.`);
    }
  }
  return notes;
}

/** "45 s", "2 min 10 s", "1 h 5 min": for notes and the dashboard alike, so both say the same. */
export function formatDuration(ms: number): string {
  const totalS = Math.max(0, Math.round(ms / 1000));
  if (totalS < 60) return `${totalS} s`;
  if (totalS < 3600) {
    const m = Math.floor(totalS / 60), s = totalS % 60;
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  const totalM = Math.round(totalS / 60);
  const h = Math.floor(totalM / 60), m = totalM % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** 0.347 → "35%"; tiny non-zero shares read "<1%" rather than a misleading "0%". */
export function formatShare(share: number): string {
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(clamp(share, 0, 1) * 100)}%`;
}

// ---- small helpers -----------------------------------------------------------------------------

/** Roster order (deduplicated), then anyone with samples but no roster entry, under a neutral name. */
function rosterWithStrangers(roster: readonly RosterEntry[], withSamples: readonly string[]): { participantId: string; displayName: string }[] {
  const seen = new Set<string>();
  const out: { participantId: string; displayName: string }[] = [];
  for (const r of [...roster].sort((a, b) => a.joinedAt - b.joinedAt || cmp(a.participantId, b.participantId))) {
    if (seen.has(r.participantId)) continue;
    seen.add(r.participantId);
    out.push({ participantId: r.participantId, displayName: r.displayName || 'Unnamed participant' });
  }
  for (const id of [...withSamples].sort(cmp)) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ participantId: id, displayName: `Unknown participant (${id.slice(0, 8)})` });
  }
  return out;
}

function zeroProbs(): EmotionProbs {
  return Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionProbs;
}

function meanOf(list: readonly EmotionProbs[]): EmotionProbs | null {
  if (list.length === 0) return null;
  const out = zeroProbs();
  for (const p of list) for (const e of EMOTIONS) out[e] += p[e];
  for (const e of EMOTIONS) out[e] /= list.length;
  return out;
}

// Rounded so the JSON stays small and float noise (1.0000000002) cannot fail the 0..1 schema.
function roundProbs(p: EmotionProbs): EmotionProbs {
  return Object.fromEntries(EMOTIONS.map((e) => [e, round4(clamp(p[e], 0, 1))])) as EmotionProbs;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
