import { describeTokenProblem, verifySessionToken, type TokenCheck } from '@moodroom/shared/session-token';
import { SESSION_SECRET_ENV, type SessionTokenPayload } from '@moodroom/shared';

export type AccessDenied = { status: 401 | 403 | 503; code: 'UNAUTHORIZED' | 'FORBIDDEN' | 'UNAVAILABLE'; message: string };

/**
 * Who may see a session's emotion data: only the holder of its facilitator token. One rule for the
 * HTTP API and the /dashboard namespace, so they cannot drift apart.
 */
export function facilitatorAccess(secret: string | undefined, token: unknown, sessionId?: string): { ok: true; payload: SessionTokenPayload } | ({ ok: false } & AccessDenied) {
  if (!secret) return { ok: false, status: 503, code: 'UNAVAILABLE', message: `the analyzer has no ${SESSION_SECRET_ENV}, so it has no sessions: set it (npm start does)` };
  const check: TokenCheck = verifySessionToken(secret, token, { role: 'facilitator', ...(sessionId !== undefined ? { sessionId } : {}) });
  if (check.ok) return { ok: true, payload: check.payload };
  const status = check.reason === 'wrong-role' || check.reason === 'wrong-session' ? 403 : 401;
  return { ok: false, status, code: status === 403 ? 'FORBIDDEN' : 'UNAUTHORIZED', message: describeTokenProblem(check.reason) };
}
