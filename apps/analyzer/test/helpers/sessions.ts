import { io, type Socket } from 'socket.io-client';
import { createSessionResponseSchema, DASHBOARD_NAMESPACE, type CreateSessionRequest, type CreateSessionResponse } from '@moodroom/shared';

/** Creates a facilitated session through the analyzer's API, as the dashboard's home page does. */
export async function createSession(analyzerUrl: string, request: Partial<CreateSessionRequest> = {}): Promise<CreateSessionResponse> {
  const res = await fetch(`${analyzerUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Test session', analysisEnabled: true, ...request }),
  });
  if (res.status !== 201) throw new Error(`creating a session failed: ${res.status} ${await res.text()}`);
  return createSessionResponseSchema.parse(await res.json());
}

/** A facilitator's /dashboard connection (token in the handshake), connected. */
export async function facilitatorSocket(analyzerUrl: string, token: string): Promise<Socket> {
  const socket = io(`${analyzerUrl}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { token } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}
