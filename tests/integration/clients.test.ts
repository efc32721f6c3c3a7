// Clients and API keys: an operator creates them (route or npm run clients), a request presents a
// key, a revoked key stops working within the cache period, REQUIRE_API_KEY closes v1 to
// anonymous callers while the compatible routes stay open, and idempotency keys, reads and
// feedback belong to one client.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import { familyRequest } from '../fixtures/domain';
import { ROOT } from '../support/env';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { type PlatformProcess, startApi } from '../support/processes';

const TOKEN = 'clients-test-operator-token';
let platform: TestPlatform;
let strict: PlatformProcess | undefined;

beforeAll(async () => {
  platform = await startPlatform({
    worker: false,
    // No worker: predictions stay queued, so the age limit of admission control is off.
    env: { ADMIN_TOKEN: TOKEN, API_KEY_CACHE_TTL_MS: '300', ADMISSION_MAX_WAIT_MS: '0' },
  });
}, 60_000);

afterAll(async () => {
  await strict?.stop();
  await platform?.stop();
});

const operator = { authorization: `Bearer ${TOKEN}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface Created {
  id: string;
  name: string;
  keys: { id: string; prefix: string; last_used_at: string | null }[];
  key: { id: string; prefix: string; key: string };
}

async function createClient(name: string): Promise<Created> {
  const answer = await call<Created>(platform.api.url, 'POST', '/v1/clients', {
    body: { name },
    headers: operator,
  });
  expect(answer.status).toBe(201);
  return answer.body;
}

const submit = (headers: Record<string, string>, key?: string, body: unknown = familyRequest) =>
  call<{ id: string; error?: { code: string; details: { message: string }[] } }>(
    platform.api.url,
    'POST',
    '/v1/predictions',
    { body, headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) } },
  );

describe('clients and keys', () => {
  it('creates a client with a key shown once, stored only as a hash', async () => {
    const client = await createClient(`app-${randomUUID()}`);
    expect(client.key.key).toMatch(/^pq_[A-Za-z0-9_-]{43}$/);
    expect(client.key.key.startsWith(client.key.prefix)).toBe(true);
    const { rows } = await platform.database.pool.query<{ key_hash: string }>(
      'select key_hash from api_keys where id = $1',
      [client.key.id],
    );
    expect(rows[0]!.key_hash).not.toContain(client.key.key);
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const listed = await call<{ clients: { id: string }[] }>(
      platform.api.url,
      'GET',
      '/v1/clients',
      {
        headers: operator,
      },
    );
    expect(JSON.stringify(listed.body)).not.toContain(client.key.key);
    expect(listed.body.clients.map((c) => c.id)).toContain(client.id);
  });

  it('records the client of a prediction, and a revoked key is refused within the cache period', async () => {
    const client = await createClient(`app-${randomUUID()}`);
    const accepted = await submit(bearer(client.key.key));
    expect(accepted.status).toBe(202);
    const { rows } = await platform.database.pool.query<{ client_id: string }>(
      'select client_id from predictions where id = $1',
      [accepted.body.id],
    );
    expect(rows[0]!.client_id).toBe(client.id);
    const revoked = await call(
      platform.api.url,
      'DELETE',
      `/v1/clients/${client.id}/keys/${client.key.id}`,
      { headers: operator },
    );
    expect(revoked.status).toBe(200);
    const refused = await eventually('the revoked key is refused', async () => {
      const answer = await submit(bearer(client.key.key));
      return answer.status === 401 ? answer : undefined;
    });
    expect(refused.body.error?.code).toBe('unauthorized');
    expect(refused.headers.get('www-authenticate')).toMatch(/Bearer/);
  });

  it('refuses an unknown key instead of treating the caller as anonymous', async () => {
    const answer = await submit(bearer(`pq_${'x'.repeat(43)}`));
    expect(answer.status).toBe(401);
    expect((await submit(bearer('not-a-key'))).status).toBe(401);
  });

  it('never confuses the operator token with a client key', async () => {
    const client = await createClient(`app-${randomUUID()}`);
    expect((await submit(operator)).status).toBe(401);
    const asOperator = await call(platform.api.url, 'GET', '/v1/clients', {
      headers: bearer(client.key.key),
    });
    expect(asOperator.status).toBe(401);
    expect((await call(platform.api.url, 'GET', '/v1/clients')).status).toBe(401);
  });

  it('keeps idempotency keys, reads and feedback per client', async () => {
    const [a, b] = [
      await createClient(`a-${randomUUID()}`),
      await createClient(`b-${randomUUID()}`),
    ];
    const key = `shared-${randomUUID()}`;
    const ofA = await submit(bearer(a.key.key), key);
    const ofB = await submit(bearer(b.key.key), key);
    expect([ofA.status, ofB.status]).toEqual([202, 202]);
    expect(ofB.body.id).not.toBe(ofA.body.id);
    // A third party reusing the key with another body gets its own prediction, never A's id.
    const third = await submit({}, key, { ...familyRequest, budget: 999 });
    expect(third.status).toBe(202);
    expect(JSON.stringify(third.body)).not.toContain(ofA.body.id);
    // A reusing its own key for another body: 422, naming its own prediction.
    const reused = await submit(bearer(a.key.key), key, { ...familyRequest, budget: 999 });
    expect(reused.status).toBe(422);
    expect(JSON.stringify(reused.body)).toContain(ofA.body.id);
    // B cannot read or label A's prediction.
    const read = await call(platform.api.url, 'GET', `/v1/predictions/${ofA.body.id}`, {
      headers: bearer(b.key.key),
    });
    expect(read.status).toBe(404);
    const feedback = await call(
      platform.api.url,
      'POST',
      `/v1/predictions/${ofA.body.id}/feedback`,
      { body: { location_id: null }, headers: bearer(b.key.key) },
    );
    expect(feedback.status).toBe(404);
    const own = await call(platform.api.url, 'GET', `/v1/predictions/${ofA.body.id}`, {
      headers: bearer(a.key.key),
    });
    expect(own.status).toBe(200);
  });

  it('revokes a client, its keys with it, but never the anonymous client', async () => {
    const client = await createClient(`gone-${randomUUID()}`);
    expect(
      (await call(platform.api.url, 'DELETE', `/v1/clients/${client.id}`, { headers: operator }))
        .status,
    ).toBe(200);
    await eventually('the client is refused', async () =>
      (await submit(bearer(client.key.key))).status === 401 ? true : undefined,
    );
    const anonymous = await call(
      platform.api.url,
      'DELETE',
      '/v1/clients/00000000-0000-0000-0000-000000000000',
      { headers: operator },
    );
    expect(anonymous.status).toBe(409);
  });

  it('works the same from the command line, on the database', async () => {
    const name = `cli-${randomUUID()}`;
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/clients.ts', 'create', name, '--rate-limit', '100'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATABASE_URL: platform.database.url },
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(0);
    const key = /pq_[A-Za-z0-9_-]{43}/.exec(run.stdout)?.[0];
    expect(key).toBeDefined();
    expect((await submit(bearer(key!))).status).toBe(202);
    const list = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/clients.ts', 'list'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: platform.database.url },
      encoding: 'utf8',
    });
    expect(list.stdout).toContain(`${name} `);
    expect(list.stdout).toContain('rate limit 100');
    expect(list.stdout).not.toContain(key!);
  }, 60_000);
});

describe('REQUIRE_API_KEY', () => {
  it('closes v1 to callers without a key, while the compatible routes stay open', async () => {
    const client = await createClient(`strict-${randomUUID()}`);
    strict = await startApi({ ...platform.env, REQUIRE_API_KEY: 'true' });
    const url = strict.url;
    const anonymous = await call(url, 'POST', '/v1/predictions', { body: familyRequest });
    expect(anonymous.status).toBe(401);
    expect((await call(url, 'GET', '/v1/locations/1')).status).toBe(401);
    const keyed = await call(url, 'POST', '/v1/predictions', {
      body: familyRequest,
      headers: bearer(client.key.key),
    });
    expect(keyed.status).toBe(202);
    const compat = await call(url, 'POST', '/inference/start', { body: familyRequest });
    expect(compat.status).toBe(200);
  }, 60_000);
});
