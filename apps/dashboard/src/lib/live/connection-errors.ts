/**
 * What the dashboard tells the facilitator when the analyzer's /dashboard namespace refuses or
 * cannot be reached. Auth refusals are final (retrying a bad key cannot succeed); network errors
 * are retried by socket.io on its own, so they only change the wording of "connecting".
 */

export type LiveErrorCode = 'NO_KEY' | 'BAD_SESSION' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'SUBSCRIBE_FAILED';

export type ConnectionStatus =
  | { state: 'connecting'; message: string | null }
  | { state: 'live' }
  | { state: 'error'; code: LiveErrorCode; message: string };

export const NO_KEY_MESSAGE =
  'This dashboard link has no facilitator key. Open the facilitator link you got when you created the session (it ends in “#key=…”).';

interface ConnectErrorLike {
  message: string;
  data?: unknown;
}

function dataCode(data: unknown): string | null {
  if (data && typeof data === 'object' && 'code' in data && typeof (data as { code: unknown }).code === 'string') return (data as { code: string }).code;
  return null;
}

/**
 * `socketActive` is socket.io's `socket.active`: false when the server's middleware refused the
 * handshake (socket.io will not retry), true for transport errors (it will).
 */
export function connectErrorStatus(error: ConnectErrorLike, socketActive: boolean, analyzerUrl: string): ConnectionStatus {
  const code = dataCode(error.data);
  if (code === 'UNAUTHORIZED') {
    return { state: 'error', code, message: `The analyzer did not accept this dashboard link: ${error.message}. Use the facilitator link from when the session was created.` };
  }
  if (code === 'FORBIDDEN') {
    return { state: 'error', code, message: `This link may not open the live dashboard: ${error.message}. Participant invite links only join the call; use the facilitator link.` };
  }
  if (!socketActive) {
    return { state: 'error', code: 'UNAUTHORIZED', message: `The analyzer refused the connection: ${error.message}` };
  }
  return { state: 'connecting', message: `Can't reach the analyzer at ${analyzerUrl} yet (${error.message}); retrying…` };
}
