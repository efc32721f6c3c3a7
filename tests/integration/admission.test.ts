// Admission control with no worker and a tiny backlog limit: past it, new submissions are refused
// at once with 503 overloaded and Retry-After, and nothing is stored; a replay of an accepted
// prediction is still answered.
import { randomUUID } from 'node:crypto';

import { familyRequest } from '../fixtures/domain';
import { countRows } from '../support/database';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startPlatform({
    worker: false,
    env: { ADMISSION_MAX_WAITING: '3', ADMISSION_SAMPLE_INTERVAL_MS: '50' },
  });
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

const submit = (key?: string, body: unknown = familyRequest) =>
  call<{ id: string; error?: { code: string } }>(platform.api.url, 'POST', '/v1/predictions', {
    body,
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });

const stored = () => countRows(platform.database, 'select count(*)::int as n from predictions');

describe('past the backlog limit', () => {
  const keys = [randomUUID(), randomUUID(), randomUUID()];
  let first: string;

  it('accepts until the limit, then refuses with 503, Retry-After and nothing stored', async () => {
    for (const key of keys) expect((await submit(key)).status).toBe(202);
    first = (await submit(keys[0])).body.id;
    const refused = await eventually('a submission is refused', async () => {
      const answer = await submit();
      return answer.status === 503 ? answer : undefined;
    });
    expect(refused.body.error?.code).toBe('overloaded');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(refused.body)).toMatch(/Nothing was stored/);
    const before = await stored();
    for (let i = 0; i < 5; i++) expect((await submit(randomUUID())).status).toBe(503);
    const compat = await call(platform.api.url, 'POST', '/inference/start', {
      body: familyRequest,
    });
    expect(compat.status).toBe(503);
    expect(compat.headers.get('retry-after')).not.toBeNull();
    expect(await stored()).toBe(before);
  });

  it('still answers a replay of an accepted prediction, and its reuse for another body', async () => {
    const replay = await submit(keys[0]);
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(first);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const other = await submit(keys[1], { ...familyRequest, budget: 999 });
    expect(other.status).toBe(422);
  });

  it('refuses before reading the body: even a malformed one gets 503', async () => {
    const answer = await call(platform.api.url, 'POST', '/v1/predictions', { body: '{"x":' });
    expect(answer.status).toBe(503);
  });

  it('reports the age of the oldest waiting job as a metric', async () => {
    const text = await (await fetch(`${platform.api.url}/metrics`)).text();
    const age = /predictq_queue_oldest_wait_seconds\{queue="inference"\} ([\d.e+-]+)/.exec(text);
    expect(Number(age?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/predictq_requests_refused_total\{reason="overloaded"\} [1-9]/);
  });
});
