import { io, type Socket } from 'socket.io-client';
import { createSessionViaApi, DASHBOARD_NAMESPACE, type CreateSessionRequest, type CreateSessionResponse } from '@moodroom/shared';

/** Creates a facilitated session (analysis on unless said otherwise) through the analyzer's API. */
export const createSession = (analyzerUrl: string, request: Partial<CreateSessionRequest> = {}): Promise<CreateSessionResponse> =>
  createSessionViaApi(analyzerUrl, { title: 'Test session', analysisEnabled: true, ...request });

/** A facilitator's /dashboard connection (token in the handshake), connected. */
export async function facilitatorSocket(analyzerUrl: string, token: string): Promise<Socket> {
  const socket = io(`${analyzerUrl}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { token } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}
