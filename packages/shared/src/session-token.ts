import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MIN_SESSION_SECRET_LENGTH, SESSION_SECRET_ENV, sessionTokenPayloadSchema, type Role, type SessionTokenPayload } from './sessions.ts';

/**
 * Role tokens (server side only: imports node:crypto, so it is not re-exported from the index that
 * browsers bundle). Format: base64url(JSON payload) "." base64url(HMAC-SHA256(secret, payload)).
 * Stateless on purpose: the SFU and the analyzer verify a link without sharing a database.
 */

export type TokenCheck =
  | { ok: true; payload: SessionTokenPayload }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad-signature' | 'wrong-role' | 'wrong-session' };

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

export function assertSessionSecret(secret: string | undefined): string {
  if (!secret || secret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new Error(`${SESSION_SECRET_ENV} must be set to at least ${MIN_SESSION_SECRET_LENGTH} characters (the same value for the SFU and the analyzer; npm start generates one)`);
  }
  return secret;
}

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function signSessionToken(secret: string, payload: SessionTokenPayload): string {
  const body = Buffer.from(JSON.stringify(sessionTokenPayloadSchema.parse(payload))).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** Checks the signature, and optionally the role and session; never throws. */
export function verifySessionToken(secret: string, token: unknown, expect: { role?: Role; sessionId?: string } = {}): TokenCheck {
  if (typeof token !== 'string' || token.length === 0) return { ok: false, reason: 'missing' };
  if (token.length > 4096) return { ok: false, reason: 'malformed' };
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  let payload: SessionTokenPayload;
  try {
    const parsed = sessionTokenPayloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    payload = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (expect.role && payload.role !== expect.role) return { ok: false, reason: 'wrong-role' };
  if (expect.sessionId !== undefined && payload.sid !== expect.sessionId) return { ok: false, reason: 'wrong-session' };
  return { ok: true, payload };
}

/** Human-readable refusal, saying what to do next. */
export function describeTokenProblem(reason: Exclude<TokenCheck, { ok: true }>['reason']): string {
  switch (reason) {
    case 'missing':
      return 'this needs the link the session was shared with (its key is missing)';
    case 'malformed':
    case 'bad-signature':
      return 'this link is not valid (it was changed, or the server was restarted with another SESSION_SECRET): ask the facilitator for the link again';
    case 'wrong-role':
      return 'this link does not give access to that: only the facilitator link opens the dashboard and the report';
    case 'wrong-session':
      return 'this link belongs to another session';
  }
}
