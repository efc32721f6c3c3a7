import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createApiMetrics, createMetricsRegistry } from '@predictq/metrics';
import type { Backlog } from '@predictq/queue';

import { Admission } from './admission';
import { frontDoor, type FrontDoorOptions } from './front-door';
import { RefusalPacer } from './refusal-pacer';

function admissionWith(backlog: Backlog | undefined, maxWaiting = 10) {
  const metrics = createApiMetrics(createMetricsRegistry());
  const admission = new Admission({
    backlog: () => backlog,
    limits: { maxInFlight: 0, maxWaiting, maxWaitMs: 0 },
    pacer: new RefusalPacer({ pace: 100, minS: 1, maxS: 30 }),
    metrics,
  });
  return { admission, metrics };
}

function options(overrides: Partial<FrontDoorOptions> = {}): FrontDoorOptions {
  const { admission, metrics } = admissionWith(undefined);
  return {
    admission,
    metrics,
    headers: [['X-Content-Type-Options', 'nosniff']],
    draining: () => false,
    ...overrides,
  };
}

describe('frontDoor refusals', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  let reached: string[];

  async function listen(overrides: Partial<FrontDoorOptions>) {
    reached = [];
    const app = (req: IncomingMessage, res: ServerResponse) => {
      reached.push(`${req.method} ${req.url}`);
      res.statusCode = 202;
      res.end('{}');
    };
    server = createServer(frontDoor(app, options(overrides)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ nights: 3 }),
    });

  it('refuses a submission that admission would refuse, before the app, as admission does', async () => {
    const backlog = { waiting: 50, oldestWaitMs: 0, sampledAt: Date.now() };
    const { admission, metrics } = admissionWith(backlog);
    await listen({ admission, metrics });
    for (const path of ['/v1/predictions', '/inference/start', '/v1/predictions?x=1']) {
      const answer = await post(path, { 'x-request-id': 'req-1' });
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-request-id')).toBe('req-1');
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await answer.json()).toEqual({
        error: {
          code: 'overloaded',
          message: expect.stringContaining('50 predictions are waiting (limit 10)'),
          details: [],
        },
      });
    }
    expect(reached).toEqual([]);
    const refused = await metrics.refusals.get();
    expect(refused.values.find((v) => v.labels.reason === 'overloaded')?.value).toBe(3);
    const answered = await metrics.httpRequests.get();
    expect(answered.values.map((v) => [v.labels.route, v.labels.status, v.value])).toEqual(
      expect.arrayContaining([
        ['/v1/predictions', '503', 2],
        ['/inference/start', '503', 1],
      ]),
    );
  });

  it('lets through what it must not refuse: replays, reads, other routes, and any request when admitted', async () => {
    const { admission, metrics } = admissionWith({ waiting: 50, oldestWaitMs: 0, sampledAt: 0 });
    await listen({ admission, metrics });
    expect((await post('/v1/predictions', { 'idempotency-key': 'k1' })).status).toBe(202);
    expect((await fetch(`${url}/v1/predictions`)).status).toBe(202);
    expect((await post('/v1/predictions/abc/feedback')).status).toBe(202);
    expect((await post('/V1/PREDICTIONS')).status).toBe(202);
    expect(reached).toEqual([
      'POST /v1/predictions',
      'GET /v1/predictions',
      'POST /v1/predictions/abc/feedback',
      'POST /V1/PREDICTIONS',
    ]);

    server.closeAllConnections();
    server.close();
    await listen(admissionWith({ waiting: 3, oldestWaitMs: 0, sampledAt: 0 }));
    expect((await post('/v1/predictions')).status).toBe(202);
  });

  it('keeps the connection for the next request after a refusal, and closes it while draining', async () => {
    const { admission, metrics } = admissionWith({ waiting: 50, oldestWaitMs: 0, sampledAt: 0 });
    let draining = false;
    await listen({ admission, metrics, draining: () => draining });
    expect((await post('/v1/predictions')).headers.get('connection')).toBe('keep-alive');
    draining = true;
    expect((await post('/v1/predictions')).headers.get('connection')).toBe('close');
  });
});
