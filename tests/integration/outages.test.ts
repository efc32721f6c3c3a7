// Outages of a dependency are answered, never with a 500: PostgreSQL down gives 503 with
// Retry-After on submit and read, and 202 again once it is back; Redis down lets requests through
// (the rate limit fails open, submissions are accepted). And the rate limit itself: 429 with the
// RateLimit headers, per client, with a client's own limit.
import { createClientWithKey } from '@predictq/clients';

import { familyRequest } from '../fixtures/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { call, eventually } from '../support/http';
import { LocalPostgres } from '../../scripts/lib/local-servers/postgres-server';
import { LocalRedis } from '../../scripts/lib/local-servers/redis-server';
import { type PlatformProcess, startApi } from '../support/processes';
import { deleteKeysWithPrefix, testQueuePrefix } from '../support/redis';

describe('PostgreSQL down', () => {
  let postgres: LocalPostgres | undefined;
  let api: PlatformProcess | undefined;

  afterAll(async () => {
    await api?.stop();
    await postgres?.destroy();
  });

  it('answers 503 with Retry-After on submit and read, never 500, and 202 once it is back', async () => {
    postgres = await LocalPostgres.start();
    const prefix = testQueuePrefix();
    api = await startApi({ databaseUrl: postgres.url('predictq'), queuePrefix: prefix });
    const url = api.url;
    const accepted = await call<{ id: string }>(url, 'POST', '/v1/predictions', {
      body: familyRequest,
    });
    expect(accepted.status).toBe(202);

    await postgres.stop();
    for (const [method, path, body] of [
      ['POST', '/v1/predictions', familyRequest],
      ['GET', `/v1/predictions/${accepted.body.id}`, undefined],
      ['POST', '/inference/start', familyRequest],
      ['GET', '/v1/locations', undefined],
    ] as const) {
      const started = Date.now();
      const answer = await call(url, method, path, body === undefined ? {} : { body });
      expect({ path, status: answer.status }).toEqual({ path, status: 503 });
      expect(answer.body.error.code).toBe('database_unavailable');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
    const ready = await call<{ checks: Record<string, string> }>(url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toBe('unavailable');
    // The driver's words (addresses, errno) stay in the log.
    expect(JSON.stringify(ready.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/);

    await postgres.start();
    const again = await eventually('a submission is accepted again', async () => {
      const answer = await call(url, 'POST', '/v1/predictions', { body: familyRequest });
      expect(answer.status).not.toBe(500);
      return answer.status === 202 ? answer : undefined;
    });
    expect(again.status).toBe(202);
    await api.stop();
    await deleteKeysWithPrefix(prefix);
  }, 120_000);
});

describe('the rate limit, and Redis down', () => {
  let database: TestDatabase | undefined;
  let redis: LocalRedis | undefined;
  let api: PlatformProcess | undefined;

  afterAll(async () => {
    await api?.stop();
    await redis?.destroy();
    await database?.drop();
  });

  it('answers 429 with RateLimit headers per client, then fails open without Redis', async () => {
    database = await createTestDatabase({ seeded: true });
    redis = await LocalRedis.start();
    api = await startApi({
      databaseUrl: database.url,
      queuePrefix: testQueuePrefix(),
      REDIS_URL: redis.url,
      RATE_LIMIT_MAX: '5',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    const url = api.url;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(url, 'GET', '/v1/locations/1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const limited = await call(url, 'GET', '/v1/locations/1');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/q=5;\s*w=60/);
    expect(limited.headers.get('ratelimit')).toMatch(/r=0/);

    // Another client has its own bucket, and its own limit when it has one.
    const created = await createClientWithKey(database.db, { name: 'limited', rateLimit: 2 });
    if (created.kind !== 'created') throw new Error('client not created');
    const auth = { authorization: `Bearer ${created.key.key}` };
    const keyed: number[] = [];
    for (let i = 0; i < 3; i++) {
      keyed.push((await call(url, 'GET', '/v1/locations/1', { headers: auth })).status);
    }
    expect(keyed).toEqual([200, 200, 429]);

    await redis.kill();
    const started = Date.now();
    expect((await call(url, 'GET', '/v1/locations/1')).status).toBe(200);
    expect((await call(url, 'POST', '/v1/predictions', { body: familyRequest })).status).toBe(202);
    expect(Date.now() - started).toBeLessThan(2_000);

    // Redis back, empty: the limit counts again from zero.
    await redis.start();
    const counted = await eventually('the limit applies again', async () => {
      const answer = await call(url, 'GET', '/v1/locations/1');
      return answer.status === 429 ? answer : undefined;
    });
    expect(counted.headers.get('retry-after')).not.toBeNull();
  }, 120_000);
});
