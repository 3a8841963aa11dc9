import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

/**
 * The analyzer's HTTP surface: /healthz (JSON; 503 when not ok), /metrics (Prometheus) and, when
 * given, the session API under /api/ (server/session-api.ts).
 */
export function createHttpServer(deps: { registry: Registry; health: () => HealthReport; api?: (req: IncomingMessage, res: ServerResponse) => boolean }): Server {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (deps.api?.(req, res)) return;
    if (req.method === 'GET' && path === '/healthz') {
      const report = deps.health();
      res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      deps.registry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': deps.registry.contentType });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${err instanceof Error ? err.message : err}`);
        },
      );
      return;
    }
    // socket.io answers /socket.io/ itself, before this handler runs: whatever reaches here is unknown.
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${(path ?? '/').slice(0, 200)}: try GET /healthz, GET /metrics or /api/sessions` } }));
  });
  server.on('clientError', answerMalformedRequest);
  return server;
}

/**
 * Requests Node's HTTP parser refuses never reach a handler; Node's default answer is a bare 400.
 * This one says what was wrong, in the same JSON error shape as every other answer.
 */
export function answerMalformedRequest(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const [status, reason] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ error: { code: status === 431 ? 'LIMIT' : 'BAD_REQUEST', message: `malformed HTTP request (${error.code ?? error.message})` } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
