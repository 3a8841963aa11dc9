import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineMood, createSessionRequestSchema, facilitatorPath, invitePath, probsDistance, readSessionTokenPayload, tokenFromHash, type EmotionProbs, type SessionTokenPayload } from '../src/index.ts';
import { newSessionId, signSessionToken, verifySessionToken } from '../src/session-token.ts';

const secret = 'test-secret-test-secret';
const payload = (over: Partial<SessionTokenPayload> = {}): SessionTokenPayload => ({
  v: 1, sid: 'abcDEF123_-', role: 'facilitator', title: 'Weekly retro', purpose: 'how the retro felt', analysis: true, retentionDays: 30, iat: 1_700_000_000_000, ...over,
});

test('session tokens: a signed token verifies; role, session and signature are checked', () => {
  const token = signSessionToken(secret, payload());
  assert.deepEqual(verifySessionToken(secret, token), { ok: true, payload: payload() });
  assert.equal(verifySessionToken(secret, token, { role: 'facilitator', sessionId: 'abcDEF123_-' }).ok, true);
  assert.deepEqual(verifySessionToken(secret, token, { role: 'participant' }), { ok: false, reason: 'wrong-role' });
  assert.deepEqual(verifySessionToken(secret, token, { sessionId: 'other' }), { ok: false, reason: 'wrong-session' });
  assert.deepEqual(verifySessionToken('another-secret-another', token), { ok: false, reason: 'bad-signature' });
  // A participant cannot promote their invite to a facilitator link by editing the payload.
  const invite = signSessionToken(secret, payload({ role: 'participant' }));
  const forged = `${Buffer.from(JSON.stringify(payload({ role: 'facilitator' }))).toString('base64url')}.${invite.split('.')[1]}`;
  assert.deepEqual(verifySessionToken(secret, forged), { ok: false, reason: 'bad-signature' });
  for (const bad of [undefined, '', 'x', 'a.b.c', `${token}x`, 42, 'a'.repeat(5000)]) assert.equal(verifySessionToken(secret, bad).ok, false, String(bad));
});

test('the browser can read (not trust) the payload; links keep the token in the fragment', () => {
  const token = signSessionToken(secret, payload({ title: 'Café ☕ retro' }));
  assert.equal(readSessionTokenPayload(token)?.title, 'Café ☕ retro');
  assert.equal(readSessionTokenPayload('garbage'), null);
  const path = facilitatorPath('abc', token);
  assert.match(path, /^\/session\/abc\/dashboard#key=/);
  assert.equal(tokenFromHash(new URL(path, 'http://x').hash, 'key'), token);
  assert.equal(tokenFromHash(new URL(invitePath('abc', token), 'http://x').hash, 'invite'), token);
  assert.equal(tokenFromHash('', 'key'), null);
  assert.match(newSessionId(), /^[A-Za-z0-9_-]{22}$/);
});

test('create-session requests: title required and trimmed, retention bounded, defaults filled', () => {
  assert.deepEqual(createSessionRequestSchema.parse({ title: '  Retro ', analysisEnabled: true }), { title: 'Retro', analysisEnabled: true, retentionDays: 30, purpose: '' });
  assert.equal(createSessionRequestSchema.safeParse({ title: '   ', analysisEnabled: true }).success, false);
  assert.equal(createSessionRequestSchema.safeParse({ title: 'x', analysisEnabled: true, retentionDays: 0 }).success, false);
  assert.equal(createSessionRequestSchema.safeParse({ title: 'x', analysisEnabled: 'yes' }).success, false);
});

test('room mood: everyone counts once; nobody visible is null; distance is total variation', () => {
  const p = (happy: number, sad: number): EmotionProbs => ({ happy, sad, neutral: 1 - happy - sad, angry: 0, surprise: 0, disgust: 0, fear: 0 });
  assert.equal(combineMood([]), null);
  const mood = combineMood([p(1, 0), p(0, 1)])!;
  assert.equal(mood.faces, 2);
  assert.equal(mood.probs.happy, 0.5);
  assert.equal(mood.probs.sad, 0.5);
  assert.ok(Math.abs(mood.valence - 0.1) < 1e-9);
  assert.equal(probsDistance(p(1, 0), p(0, 1)), 1);
  assert.equal(probsDistance(p(0.5, 0), p(0.5, 0)), 0);
});
