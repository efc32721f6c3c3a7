// Every validation rule answers 400 with the field named, and a rejected request stores nothing
// and enqueues nothing.
import {
  createInferenceQueue,
  createRedis,
  type InferenceQueue,
  type RedisConnection,
} from '@predictq/queue';

import { familyRequest } from '../fixtures/domain';
import { REDIS_URL } from '../support/env';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;
let redis: RedisConnection;
let queue: InferenceQueue;

beforeAll(async () => {
  // No worker: nothing may even be enqueued.
  platform = await startPlatform({ worker: false, env: { BODY_LIMIT: '2kb' } });
  redis = createRedis(REDIS_URL, 'producer');
  queue = createInferenceQueue(redis, platform.env.queuePrefix);
}, 60_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await platform?.stop();
});

interface ErrorBody {
  error: { code: string; message: string; details: { field: string; message: string }[] };
}

async function send(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: ErrorBody }> {
  const response = await fetch(`${platform.api.url}${path}`, {
    method,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ErrorBody };
}

const without = (key: string) => {
  const { [key]: _dropped, ...rest } = familyRequest as Record<string, unknown>;
  return rest;
};

// [what is wrong, body, the field the answer must name]
const invalidRequests: [string, unknown, string][] = [
  ['no people', { ...familyRequest, people_num: 0, people_age: [], children_num: 0 }, 'people_num'],
  ['too many people', { ...familyRequest, people_num: 101 }, 'people_num'],
  ['people_num not an integer', { ...familyRequest, people_num: 2.5 }, 'people_num'],
  ['people_num as a string', { ...familyRequest, people_num: '3' }, 'people_num'],
  ['one age missing', { ...familyRequest, people_age: [40, 38] }, 'people_age'],
  ['an age below 0', { ...familyRequest, people_age: [40, 38, -1] }, 'people_age.2'],
  ['an age above 120', { ...familyRequest, people_age: [40, 121, 6] }, 'people_age.1'],
  ['a fractional age', { ...familyRequest, people_age: [40.5, 38, 6] }, 'people_age.0'],
  ['negative children', { ...familyRequest, children_num: -1 }, 'children_num'],
  ['more children than people', { ...familyRequest, children_num: 4 }, 'children_num'],
  ['a zero budget', { ...familyRequest, budget: 0 }, 'budget'],
  ['a negative budget', { ...familyRequest, budget: -10 }, 'budget'],
  ['a budget as a string', { ...familyRequest, budget: '300' }, 'budget'],
  ['zero nights', { ...familyRequest, nights: 0 }, 'nights'],
  ['more than 365 nights', { ...familyRequest, nights: 366 }, 'nights'],
  ['an impossible date', { ...familyRequest, time_arrival: '2026-02-30' }, 'time_arrival'],
  ['a date that is not ISO', { ...familyRequest, time_arrival: '01/08/2026' }, 'time_arrival'],
  ['a date as a number', { ...familyRequest, time_arrival: 20260801 }, 'time_arrival'],
  ['pool as a string', { ...familyRequest, pool: 'yes' }, 'pool'],
  ['spa missing', without('spa'), 'spa'],
  ['pet_friendly as a number', { ...familyRequest, pet_friendly: 1 }, 'pet_friendly'],
  ['lake null', { ...familyRequest, lake: null }, 'lake'],
  ['mountain missing', without('mountain'), 'mountain'],
  ['sport as a string', { ...familyRequest, sport: 'false' }, 'sport'],
  ['budget missing', without('budget'), 'budget'],
  ['an unknown field', { ...familyRequest, nightz: 3 }, 'nightz'],
  ['an empty profile name', { ...familyRequest, profile: '' }, 'profile'],
];

describe('POST /v1/predictions validation', () => {
  it.each(invalidRequests)('rejects %s with 400 naming the field', async (_what, body, field) => {
    const { status, body: answer } = await send('POST', '/v1/predictions', body);
    expect(status).toBe(400);
    expect(answer.error.code).toBe('validation_failed');
    expect(answer.error.details.map((d) => d.field)).toContain(field);
    expect(answer.error.message).toContain(field);
  });

  it('rejects malformed JSON, a body that is not an object, a non-JSON body and an oversized body', async () => {
    expect(await send('POST', '/v1/predictions', '{"people_num": 3,')).toMatchObject({
      status: 400,
      body: { error: { code: 'malformed_json' } },
    });
    expect(await send('POST', '/v1/predictions', '[1, 2]')).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed' } },
    });
    expect(
      await send('POST', '/v1/predictions', 'people_num=3', { 'content-type': 'text/plain' }),
    ).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
    const huge = { ...familyRequest, profile: 'x'.repeat(4000) };
    expect(await send('POST', '/v1/predictions', huge)).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large' } },
    });
  });

  it('rejects an invalid Idempotency-Key header, naming it', async () => {
    const { status, body } = await send('POST', '/v1/predictions', familyRequest, {
      'content-type': 'application/json',
      'idempotency-key': 'x'.repeat(300),
    });
    expect(status).toBe(400);
    expect(body.error.details[0]!.field).toBe('Idempotency-Key');
  });
});

describe('other bodies and queries', () => {
  it('rejects bad feedback bodies naming the field', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [body, field] of [
      [{}, 'location_id'],
      [{ location_id: 'three' }, 'location_id'],
      [{ location_id: 0 }, 'location_id'],
      [{ location_id: 3, extra: true }, 'extra'],
    ] as const) {
      const { status, body: answer } = await send('POST', `/v1/predictions/${id}/feedback`, body);
      expect(status).toBe(400);
      expect(answer.error.details.map((d) => d.field)).toContain(field);
    }
  });

  it('validates the compatible routes too (extra fields are ignored there)', async () => {
    const bad = await send('POST', '/inference/start', { ...familyRequest, budget: -1, name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.field)).toEqual(['budget']);
    const limit = await fetch(
      `${platform.api.url}/inference/results/00000000-0000-4000-8000-000000000000?limit=0`,
    );
    expect(limit.status).toBe(400);
    const select = await send('PUT', '/inference/select/', { task_id: 'x', location_id: 'first' });
    expect(select.status).toBe(400);
    expect(select.body.error.details.map((d) => d.field)).toContain('location_id');
    const wait = await fetch(
      `${platform.api.url}/v1/predictions/00000000-0000-4000-8000-000000000000?wait=31`,
    );
    expect(wait.status).toBe(400);
  });

  it('stored nothing and enqueued nothing for any rejected request', async () => {
    const { rows } = await platform.database.pool.query(
      'select (select count(*) from predictions)::int as predictions, (select count(*) from feedback)::int as feedback',
    );
    expect(rows[0]).toEqual({ predictions: 0, feedback: 0 });
    const counts = await queue.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
