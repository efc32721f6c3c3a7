// The live router against the contract's table, both ways: every route the application mounts is
// an operation of the table (but /metrics, the Prometheus exposition), and every operation of the
// table is mounted, with its method and path.
import { PassThrough } from 'node:stream';

import { expressPath, OPERATION_IDS, OPERATIONS } from '@predictq/contract';
import { createLogger } from '@predictq/logging';
import { createApiMetrics, createMetricsRegistry } from '@predictq/metrics';
import type { Express } from 'express';

import { type AppOptions, createApp } from './app';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** "METHOD /path" of every route of the application, however deep its routers nest. */
function mountedRoutes(app: Express): string[] {
  const walk = (stack: Layer[]): string[] =>
    stack.flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`)
        : layer.handle?.stack
          ? walk(layer.handle.stack)
          : [],
    );
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
}

function app(metricsOnMainPort: boolean): Express {
  const registry = createMetricsRegistry();
  // Nothing is called while the routes are mounted: the dependencies are never touched.
  const unused = {} as never;
  const options: AppOptions = {
    db: unused,
    pool: unused,
    redis: unused,
    queue: unused,
    trainingQueue: unused,
    logger: createLogger({ service: 'test', format: 'json', stream: new PassThrough() }),
    retry: { attempts: 1, backoffMs: 0 },
    waiter: unused,
    watchers: unused,
    webhookTargets: { allowedHosts: new Set(), allowHttp: false },
    metrics: createApiMetrics(registry),
    registry,
    batches: unused,
    metricsOnMainPort,
    bodyLimit: '64kb',
    uploadLimit: '1mb',
    adminToken: undefined,
    adminMode: 'closed',
    trustProxyHops: 0,
    version: 'test',
    keys: unused,
    requireApiKey: false,
    compatRequireApiKey: false,
    rateLimit: { max: 0, windowMs: 1000, prefix: 'test' },
    backlog: () => undefined,
    admission: { maxInFlight: 0, maxWaiting: 0, maxWaitMs: 0 },
    retryAfter: { minS: 1, pace: 1 },
    databaseMaxWaiting: 0,
    bodyTimeoutMs: 1000,
    uploadTimeoutMs: 1000,
    modelCheck: unused,
    drift: unused,
  };
  return createApp(options);
}

const tableRoutes = OPERATION_IDS.map((id) => {
  const op = OPERATIONS[id];
  return `${op.method.toUpperCase()} ${expressPath(op.path)}`;
}).sort();

describe('the router and the table of operations', () => {
  // Besides the table: the docs page's script (and its static assets under /docs/assets).
  const docsAssets = ['GET /docs/init.js'];

  it('mounts every operation of the table, and no route the table lacks', () => {
    expect(mountedRoutes(app(false))).toEqual([...tableRoutes, ...docsAssets].sort());
  });

  it('adds only /metrics when it is served on the main port', () => {
    expect(mountedRoutes(app(true))).toEqual(
      [...tableRoutes, ...docsAssets, 'GET /metrics'].sort(),
    );
  });
});
