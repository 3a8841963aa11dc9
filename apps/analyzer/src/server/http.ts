import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
  return createServer((req, res) => {
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
    // socket.io handles its own path; everything else is unknown.
    if (path?.startsWith('/socket.io')) return;
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try /healthz, /metrics or /api/sessions');
  });
}
