import { createSessionResponseSchema, type CreateSessionRequest, type CreateSessionResponse } from './sessions.ts';

/** The analyzer refused a session-API call; `message` is its explanation (what to do next). */
export class SessionApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SessionApiError';
  }
}

/**
 * `POST /api/sessions` (sessions.ts): creates a facilitated session and returns its links' tokens.
 * One client for the home page, the tests and the tools, so they all read answers the same way.
 * A network failure rejects with fetch's own TypeError.
 */
export async function createSessionViaApi(analyzerUrl: string, request: CreateSessionRequest, fetchImpl: typeof fetch = fetch): Promise<CreateSessionResponse> {
  const res = await fetchImpl(`${analyzerUrl.replace(/\/+$/, '')}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    throw new SessionApiError(res.status, typeof message === 'string' ? message : `the analyzer answered HTTP ${res.status}`);
  }
  return createSessionResponseSchema.parse(body);
}
