// The worker's only HTTP: /healthz (its state; 503 when it should be replaced) and /metrics
// (WORKER_METRICS_PORT). It never serves clients.
import http from 'node:http';

export type HealthReport = () => { ok: boolean; [key: string]: unknown };

export interface HealthServerOptions {
  port: number;
  host: string;
  health: HealthReport;
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      const report = options.health();
      res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: report.ok ? 'ok' : 'unhealthy', ...report }));
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && options.metrics) {
      options
        .metrics()
        .then(({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 'not_found', message: `no route ${req.method} ${path}`, details: [] },
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return server;
}
