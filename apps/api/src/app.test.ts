// The live router against the contract's table, both ways: every route the application mounts is
// an operation of the table (but /metrics, the Prometheus exposition, the docs page's script, and
// the queue console's sub-application), and every operation of the table is mounted, with its
// method and path. Mounted sub-applications are walked too: their routes are listed as `APP ...`
// (their mount path is not kept by the router), so one cannot slip in unseen.
import { PassThrough } from 'node:stream';

import { appRoutes } from '@bull-board/api/dist/routes.js';
import { expressPath, OPERATION_IDS, OPERATIONS } from '@predictq/contract';
import { createLogger } from '@predictq/logging';
import { createApiMetrics, createMetricsRegistry } from '@predictq/metrics';
import type { Express } from 'express';

import { type AppOptions, createApp } from './app';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  /** A router (stack), or a mounted Express application (its router). */
  handle?: { stack?: Layer[]; router?: { stack: Layer[] } };
}

/** "METHOD /path" of every route of the application, however deep its routers and apps nest. */
function mountedRoutes(app: Express): string[] {
  const walk = (stack: Layer[], tag: string): string[] =>
    stack.flatMap((layer) => {
      const route = layer.route;
      if (route) {
        const paths = Array.isArray(route.path) ? route.path : [route.path];
        return Object.keys(route.methods).flatMap((m) =>
          paths.map((path) => `${tag}${m.toUpperCase()} ${path}`),
        );
      }
      if (layer.handle?.stack) return walk(layer.handle.stack, tag);
      if (layer.handle?.router) return walk(layer.handle.router.stack, 'APP ');
      return [];
    });
  return walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '').sort();
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
    admission: unused,
    pacer: unused,
    databaseMaxWaiting: 0,
    bodyTimeoutMs: 1000,
    uploadTimeoutMs: 1000,
    modelCheck: unused,
    drift: unused,
    consoleQueues: [],
  };
  return createApp(options);
}

const tableRoutes = OPERATION_IDS.map((id) => {
  const op = OPERATIONS[id];
  return `${op.method.toUpperCase()} ${expressPath(op.path)}`;
}).sort();

describe('the router and the table of operations', () => {
  // Besides the table: the docs page's script (and its static assets under /docs/assets), and
  // bull-board's own routes under /admin/queues, from its own table: its JSON API and the
  // client-side views that reload as its page (its static files are a static middleware).
  const consoleRoutes = [
    ...appRoutes.api,
    { method: appRoutes.entryPoint.method, route: appRoutes.entryPoint.route },
  ].flatMap(({ method, route }) =>
    (Array.isArray(method) ? method : [method]).flatMap((m) =>
      (Array.isArray(route) ? route : [route]).map((r) => `APP ${m.toUpperCase()} ${r}`),
    ),
  );
  const docsAssets = ['GET /docs/init.js', ...consoleRoutes];

  it('mounts every operation of the table, and no route the table lacks', () => {
    expect(mountedRoutes(app(false))).toEqual([...tableRoutes, ...docsAssets].sort());
  });

  it('adds only /metrics when it is served on the main port', () => {
    expect(mountedRoutes(app(true))).toEqual(
      [...tableRoutes, ...docsAssets, 'GET /metrics'].sort(),
    );
  });
});
