// /metrics on a port of its own (METRICS_PORT), so the public port never serves it: Prometheus
// scrapes this one on the internal network, and no proxy rule has to hide a path.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';
import { exposition } from '@predictq/metrics';

export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: { code: 'not_found', message: 'only GET /metrics', details: [] },
        }),
      );
      return;
    }
    exposition(registry).then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
