// Every input gets a clear 4xx: dates outside the trip range (and PostgreSQL's), NUL characters,
// integers outside their columns, case-variant paths. Then a property-based fuzz of every route
// (fast-check): random bodies, paths, queries and headers never get a 5xx (the compatible routes'
// failed task excepted, whose answer is the original system's), and no invalid body stores a row.
import { randomUUID } from 'node:crypto';

import { expressPath, OPERATION_IDS, OPERATIONS } from '@predictq/contract';
import { createPrediction } from '@predictq/db';
import { enrichRequest } from '@predictq/domain';
import { failPrediction } from '@predictq/predictions';
import fc from 'fast-check';

import { familyRequest } from '../fixtures/domain';
import { countRows } from '../support/database';
import { call } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

const TOKEN = 'hostile-input-operator-token';
let platform: TestPlatform;
// A prediction that ended failed (stored in beforeAll): the fuzz reaches it by id too.
const failedId = randomUUID();

beforeAll(async () => {
  platform = await startPlatform({
    worker: false,
    // No worker: keep admission control out of the way of the answers under test.
    env: { ADMIN_TOKEN: TOKEN, ADMISSION_MAX_WAITING: '0', ADMISSION_MAX_WAIT_MS: '0' },
  });
  await createPrediction(platform.database.db, {
    id: failedId,
    request: enrichRequest(familyRequest),
  });
  await failPrediction(platform.database.db, failedId, 'a test failure');
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

const post = (path: string, body: unknown) => call(platform.api.url, 'POST', path, { body });

describe('a clear 4xx for each known case', () => {
  it.each([
    ['year 0 (outside PostgreSQL dates)', { time_arrival: '0000-01-01' }, 'time_arrival'],
    ['before the trip range', { time_arrival: '1999-12-31' }, 'time_arrival'],
    ['after the trip range', { time_arrival: '2100-01-01' }, 'time_arrival'],
    ['a NUL in the profile', { profile: 'Fam\u0000ily' }, 'profile'],
  ])('v1 submit: %s is a 400 naming the field', async (_what, change, field) => {
    const answer = await post('/v1/predictions', { ...familyRequest, ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details.map((d) => d.field)).toContain(field);
  });

  it('compat start: a NUL in the name, or year 0, is a 400 naming the field', async () => {
    const name = await post('/inference/start', { ...familyRequest, name: 'a\u0000b' });
    expect(name.status).toBe(400);
    expect(name.body.error.details.map((d) => d.field)).toContain('name');
    const date = await post('/inference/start', { ...familyRequest, time_arrival: '0000-01-01' });
    expect(date.status).toBe(400);
  });

  it('integers beyond their columns are 400 (feedback, selection) or 404 (path ids)', async () => {
    const id = randomUUID();
    const feedback = await post(`/v1/predictions/${id}/feedback`, { location_id: 2 ** 31 });
    expect(feedback.status).toBe(400);
    expect(feedback.body.error.details.map((d) => d.field)).toContain('location_id');
    for (const location_id of [2 ** 31, -2, 1e300]) {
      const select = await call(platform.api.url, 'PUT', '/inference/select/', {
        body: { task_id: id, location_id },
      });
      expect(select.status).toBe(400);
    }
    for (const path of ['/v1/locations/2147483648', '/content/location/99999999999999999999']) {
      expect((await call(platform.api.url, 'GET', path)).status).toBe(404);
    }
  });

  it('routes are case-sensitive on every router', async () => {
    for (const path of ['/METRICS', '/Metrics', '/HEALTHZ', '/V1/LOCATIONS', '/Content/info']) {
      expect({ path, status: (await call(platform.api.url, 'GET', path)).status }).toEqual({
        path,
        status: 404,
      });
    }
    expect((await post('/INFERENCE/START', familyRequest)).status).toBe(404);
    expect((await call(platform.api.url, 'GET', '/metrics')).status).toBe(200);
  });

  it('answers a failed task on the compatible routes exactly as the original system', async () => {
    for (const path of [`/inference/status/${failedId}`, `/inference/results/${failedId}`]) {
      const answer = await call(platform.api.url, 'GET', path);
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ detail: 'Task failed' });
    }
  });

  it('sends security headers', async () => {
    const answer = await call(platform.api.url, 'GET', '/healthz');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(answer.headers.get('x-powered-by')).toBeNull();
  });
});

// ---- the fuzz ---------------------------------------------------------------------------------

const weirdString = fc.oneof(
  fc.string(),
  fc.constantFrom('\u0000', 'a\u0000b', '0000-01-01', '9999-12-31', '-1', '1e309', '', ' '),
  fc.string({ unit: 'binary' }),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, -0, 0.5, 32768, -32769),
);
const weirdValue = fc.oneof(
  weirdString,
  weirdNumber,
  fc.boolean(),
  fc.constant(null),
  fc.anything(),
);
const deep = fc.integer({ min: 1, max: 2000 }).map((depth) => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
});
const validBody = { ...familyRequest } as Record<string, unknown>;
const mutatedBody = fc
  .tuple(fc.constantFrom(...Object.keys(validBody), 'name', 'extra'), weirdValue)
  .map(([field, value]) => ({ ...validBody, [field]: value }));
const body = fc.oneof(
  mutatedBody,
  fc.anything(),
  deep,
  fc.dictionary(fc.string(), weirdValue),
  fc.record({ location_id: weirdValue }),
  fc.record({ task_id: weirdValue, location_id: weirdValue }),
  fc.record({ candidates: weirdValue }),
  fc.record({ name: weirdValue, rate_limit: weirdValue }),
  fc.record({ manifest: weirdValue, onnx_base64: weirdValue }),
  fc.record({ seed: weirdValue, epochs: weirdValue, max_rows: weirdValue }),
);
const segment = fc.oneof(
  fc.uuid(),
  fc.constant(failedId),
  weirdNumber.map(String),
  weirdString,
  fc.constantFrom('..', '%00', '%', '%ZZ', 'anonymous'),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(fc.constantFrom('wait', 'limit', 'window', 'x', 'wait[]'), weirdString, {
      maxKeys: 3,
    })
    .map((q) => `?${new URLSearchParams(q).toString()}`),
  fc.constantFrom('?wait=1e999', '?limit=-1', '?window=99999d', '?limit=1&limit=2', '?%00=1'),
);

// Every operation of the contract's table: [method, path with :p placeholders].
const ROUTES: [string, string][] = OPERATION_IDS.map((id) => [
  OPERATIONS[id].method.toUpperCase(),
  expressPath(OPERATIONS[id].path).replace(/:\w+/g, ':p'),
]);

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  segments: fc.array(segment, { minLength: 2, maxLength: 2 }),
  query,
  body: fc.option(body, { nil: undefined }),
  rawBody: fc.option(fc.oneof(fc.string(), fc.constantFrom('{"a":', '[', 'null', '"\\u0000"')), {
    nil: undefined,
  }),
  contentType: fc.constantFrom(
    'application/json',
    'text/plain',
    'application/json; charset=latin1',
    'application/x-www-form-urlencoded',
    undefined,
  ),
  operator: fc.boolean(),
  idempotencyKey: fc.option(fc.stringMatching(/^[\x21-\x7e]{1,300}$/), { nil: undefined }),
  authorization: fc.option(
    fc.constantFrom('Bearer x', 'Basic abc', `Bearer pq_${'a'.repeat(43)}`),
    {
      nil: undefined,
    },
  ),
});

interface Tally {
  predictions: number;
  feedback: number;
}

const isCompatTaskFailed = (status: number, answer: unknown) =>
  status === 500 && JSON.stringify(answer) === '{"detail":"Task failed"}';

describe('a fuzz of every route', () => {
  it('never answers 5xx (but the compatible failed task), and stores nothing invalid', async () => {
    const before: Tally = {
      predictions: await countRows(platform.database, 'select count(*)::int as n from predictions'),
      feedback: await countRows(platform.database, 'select count(*)::int as n from feedback'),
    };
    const created: Tally = { predictions: 0, feedback: 0 };
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [method, template] = r.route;
        let i = 0;
        const path = template.replace(/:p/g, () => encodeURIComponent(r.segments[i++] ?? ''));
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.operator) headers.authorization = `Bearer ${TOKEN}`;
        else if (r.authorization) headers.authorization = r.authorization;
        if (r.idempotencyKey) headers['idempotency-key'] = r.idempotencyKey;
        const payload =
          r.rawBody ?? (r.body === undefined ? undefined : (JSON.stringify(r.body) ?? 'null'));
        const response = await fetch(`${platform.api.url}${path}${r.query}`, {
          method,
          headers,
          ...(method === 'GET' || payload === undefined ? {} : { body: payload }),
        });
        const text = await response.text();
        let answer: unknown = text;
        try {
          answer = JSON.parse(text);
        } catch {
          // kept as text
        }
        if (response.status === 202 && template === '/v1/predictions') created.predictions++;
        if (response.status === 200 && template === '/inference/start') created.predictions++;
        if (response.status === 201 && template.endsWith('/feedback')) created.feedback++;
        if (response.status >= 500 && !isCompatTaskFailed(response.status, answer)) {
          failures.push(`${method} ${path}${r.query} -> ${response.status} ${text.slice(0, 200)}`);
          return false;
        }
        return true;
      }),
      { numRuns: 1500, seed: 20261201 },
    );
    expect(failures).toEqual([]);
    expect({
      predictions: await countRows(platform.database, 'select count(*)::int as n from predictions'),
      feedback: await countRows(platform.database, 'select count(*)::int as n from feedback'),
    }).toEqual({
      predictions: before.predictions + created.predictions,
      feedback: before.feedback + created.feedback,
    });
    expect(platform.api.running).toBe(true);
  }, 120_000);
});
