import http from 'node:http';

export interface Health {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

/** The HTTP side: /healthz for supervisors and load balancers; socket.io attaches to the same server. */
export function createHttpServer(health: () => Health): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = health();
      res.writeHead(body.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
      return;
    }
    // socket.io answers its own path (/socket.io/) before this handler runs.
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found' }));
  });
}
