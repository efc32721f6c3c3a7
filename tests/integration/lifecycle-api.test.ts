// The prediction lifecycle through the API: submission options bound to the Idempotency-Key,
// the list (caller isolation, operator view, filters, a stable cursor under concurrent inserts),
// cancel in each state and racing completion, deadlines, Prefer: wait, and event streams with
// Last-Event-ID. One platform: no worker at first (predictions stay queued), then a real worker
// whose failpoint hangs the scoring of one budget (predictions that stay processing).
import { randomUUID } from 'node:crypto';

import { familyRequest } from '../fixtures/domain';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { type PlatformProcess, startWorker } from '../support/processes';
import { openStream } from '../support/sse';

const TOKEN = 'lifecycle-test-operator-token';
const HANG_BUDGET = 666.5;
let platform: TestPlatform;
let worker: PlatformProcess | undefined;

beforeAll(async () => {
  platform = await startPlatform({
    worker: false,
    env: { ADMIN_TOKEN: TOKEN, ADMISSION_MAX_WAIT_MS: '0', ADMISSION_MAX_WAITING: '0' },
  });
}, 60_000);

afterAll(async () => {
  // Its hung batch would hold a graceful shutdown until the deadline.
  await worker?.stop('SIGKILL');
  await platform?.stop();
}, 60_000);

const operator = { authorization: `Bearer ${TOKEN}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

interface Prediction {
  id: string;
  status: string;
  input: Record<string, unknown>;
  output: { ranking: unknown[] } | null;
  error: string | null;
  webhook: string | null;
  cancel_at: string | null;
}
interface Page {
  predictions: (Prediction & { idempotency_key: string | null })[];
  next_cursor: string | null;
}

async function newClient(): Promise<Record<string, string>> {
  const answer = await call<{ key: { key: string } }>(platform.api.url, 'POST', '/v1/clients', {
    body: { name: `lc-${randomUUID()}` },
    headers: operator,
  });
  expect(answer.status).toBe(201);
  return bearer(answer.body.key.key);
}

const submit = (headers: Record<string, string>, body: unknown = familyRequest) =>
  call<Prediction & { error?: { code: string; details: { field: string }[] } }>(
    platform.api.url,
    'POST',
    '/v1/predictions',
    { body, headers },
  );

const get = (id: string, headers: Record<string, string> = {}) =>
  call<Prediction>(platform.api.url, 'GET', `/v1/predictions/${id}`, { headers });

const cancel = (id: string, headers: Record<string, string> = {}) =>
  call<Prediction & { error?: { code: string; message: string } }>(
    platform.api.url,
    'POST',
    `/v1/predictions/${id}/cancel`,
    { headers },
  );

const list = (query: string, headers: Record<string, string> = {}) =>
  call<Page>(platform.api.url, 'GET', `/v1/predictions?${query}`, { headers });

async function rankingRows(id: string): Promise<number> {
  const { rows } = await platform.database.pool.query<{ n: string }>(
    'select count(*) as n from rankings where prediction_id = $1',
    [id],
  );
  return Number(rows[0]!.n);
}

describe('submission options', () => {
  it('keeps the options out of input, and refuses a replayed key with other options (422)', async () => {
    const me = await newClient();
    const key = `opt-${randomUUID()}`;
    const body = { ...familyRequest, cancel_after: '10m' };
    const first = await submit({ ...me, 'idempotency-key': key }, body);
    expect(first.status).toBe(202);
    const read = await get(first.body.id, me);
    expect(read.body.input).toEqual(familyRequest);
    expect(read.body.cancel_at).not.toBeNull();
    const replay = await submit({ ...me, 'idempotency-key': key }, body);
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(first.body.id);
    const other = await submit(
      { ...me, 'idempotency-key': key },
      { ...familyRequest, cancel_after: '5m' },
    );
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe('idempotency_key_reused');
    // The header sets the same option: the same submission; another deadline is not.
    const header = await submit(
      { ...me, 'idempotency-key': key, 'cancel-after': '10m' },
      familyRequest,
    );
    expect(header.status).toBe(202);
    expect(header.body.id).toBe(first.body.id);
    const otherHeader = await submit(
      { ...me, 'idempotency-key': key, 'cancel-after': '1h' },
      familyRequest,
    );
    expect(otherHeader.status).toBe(422);
  });

  it('names a bad option, an unknown field, and a refused webhook target', async () => {
    const bad = await submit({}, { ...familyRequest, cancel_after: 'soon' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('cancel_after');
    const unknown = await submit({}, { ...familyRequest, webhok: 'https://example.com' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('webhok');
    for (const target of [
      'http://169.254.169.254/latest',
      'https://10.1.2.3/hook',
      'https://[::1]/x',
    ]) {
      const refused = await submit({}, { ...familyRequest, webhook: target });
      expect(refused.status).toBe(422);
      expect(refused.body.error?.details[0]?.field).toBe('webhook');
    }
    const { rows } = await platform.database.pool.query(
      "select 1 from predictions where webhook like '%169.254%' or webhook like '%10.1.2.3%'",
    );
    expect(rows).toHaveLength(0);
  });

  it('the compatible route keeps ignoring fields it does not know, options included', async () => {
    const answer = await call<{ task_id: string }>(platform.api.url, 'POST', '/inference/start', {
      body: { ...familyRequest, webhook: 'http://10.0.0.1/', cancel_after: 'x', extra: 1 },
    });
    expect(answer.status).toBe(200);
    const { rows } = await platform.database.pool.query<{ webhook: string | null }>(
      'select webhook from predictions where id = $1',
      [answer.body.task_id],
    );
    expect(rows[0]!.webhook).toBeNull();
  });
});

describe('the list', () => {
  it('pages through the caller’s predictions newest first, stable under concurrent inserts', async () => {
    const me = await newClient();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await submit(me)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let inserts = 0;
    do {
      const page: Awaited<ReturnType<typeof list>> = await list(
        `limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        me,
      );
      expect(page.status).toBe(200);
      for (const p of page.body.predictions) expect(p.output).toBeUndefined();
      seen.push(...page.body.predictions.map((p) => p.id));
      cursor = page.body.next_cursor;
      // Inserted between pages: newer than the first page, so never in a later one.
      await Promise.all([submit(me), submit(me)]);
      inserts += 2;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const all = await list('limit=100', me);
    expect(all.body.predictions).toHaveLength(12 + inserts);
  });

  it('filters by status, created range and idempotency key; another client sees none of it', async () => {
    const me = await newClient();
    const other = await newClient();
    const key = `flt-${randomUUID()}`;
    const keyed = (await submit({ ...me, 'idempotency-key': key })).body.id;
    const since = new Date().toISOString();
    const toCancel = (await submit(me)).body.id;
    expect((await cancel(toCancel, me)).status).toBe(200);
    const byKey = await list(`idempotency_key=${key}`, me);
    expect(byKey.body.predictions.map((p) => p.id)).toEqual([keyed]);
    const canceled = await list('status=canceled', me);
    expect(canceled.body.predictions.map((p) => p.id)).toEqual([toCancel]);
    const queued = await list('status=queued,processing', me);
    expect(queued.body.predictions.map((p) => p.id)).toEqual([keyed]);
    const recent = await list(`created_after=${encodeURIComponent(since)}`, me);
    expect(recent.body.predictions.map((p) => p.id)).toEqual([toCancel]);
    const before = await list(`created_before=${encodeURIComponent(since)}`, me);
    expect(before.body.predictions.map((p) => p.id)).toEqual([keyed]);
    expect((await list('model_version=999999', me)).body.predictions).toHaveLength(0);
    // Isolation: the other client lists nothing, cannot read or cancel.
    expect((await list('limit=100', other)).body.predictions).toHaveLength(0);
    expect((await list(`idempotency_key=${key}`, other)).body.predictions).toHaveLength(0);
    expect((await cancel(keyed, other)).status).toBe(404);
    expect((await get(keyed, me)).body.status).toBe('queued');
    // The operator sees every client's.
    const all = await list('limit=100', operator);
    const ids = all.body.predictions.map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining([keyed, toCancel]));
  });

  it('refuses a forged cursor and a bad filter with 400', async () => {
    expect((await list('cursor=bm90LWEtY3Vyc29y')).status).toBe(400);
    const bad = await list('status=done');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status');
    expect((await list('limit=0')).status).toBe(400);
  });
});

describe('cancel, deadlines, wait and streams with a real worker', () => {
  const me: Record<string, string> = {};
  let deadlined = '';
  let streamed = '';
  let stream: Awaited<ReturnType<typeof openStream>>;

  it('cancels a queued prediction at once and removes its job; a second cancel is 409', async () => {
    Object.assign(me, await newClient());
    const id = (await submit(me)).body.id;
    const answer = await cancel(id, me);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('canceled');
    const again = await cancel(id, me);
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toContain('canceled');
    // Set up what the worker will meet: a deadline already past, and a stream.
    deadlined = (await submit(me, { ...familyRequest, cancel_after: 1 })).body.id;
    streamed = (await submit(me)).body.id;
    stream = await openStream(`${platform.api.url}/v1/predictions/${streamed}/stream`, me);
    expect(stream.status).toBe(200);
    await eventually('the queued event', async () =>
      stream.events.length >= 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1200));
  });

  it('starts a worker: the stream sees every transition, an overdue prediction ends canceled unscored', async () => {
    worker = await startWorker({
      ...platform.env,
      PREDICTQ_FAILPOINTS: `score.hang-on-budget=${HANG_BUDGET}`,
      DEADLINE_INTERVAL_MS: '200',
    });
    await stream.ended;
    expect(stream.events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'queued'],
      ['2', 'processing'],
      ['3', 'succeeded'],
    ]);
    const last = JSON.parse(stream.events[2]!.data) as Prediction;
    expect(last.output?.ranking.length).toBeGreaterThan(0);
    // The terminal event delivered the ranking: it is shown, so feedback is taken.
    const feedback = await call(platform.api.url, 'POST', `/v1/predictions/${streamed}/feedback`, {
      body: { location_id: null },
      headers: me,
    });
    expect(feedback.status).toBe(201);
    const overdue = await eventually('the overdue prediction is canceled', async () => {
      const read = await get(deadlined, me);
      return read.body.status === 'canceled' ? read.body : undefined;
    });
    expect(overdue.error).toMatch(/deadline/);
    expect(await rankingRows(deadlined)).toBe(0);
  }, 90_000);

  it('resumes a stream after Last-Event-ID with only what was missed', async () => {
    const resumed = await openStream(`${platform.api.url}/v1/predictions/${streamed}`, {
      ...me,
      'last-event-id': '1',
    });
    await resumed.ended;
    expect(resumed.events.map((e) => e.id)).toEqual(['2', '3']);
    const done = await openStream(`${platform.api.url}/v1/predictions/${streamed}/stream`, {
      ...me,
      'last-event-id': '3',
    });
    await done.ended;
    expect(done.events).toHaveLength(0);
  });

  it('Prefer: wait answers 200 with the finished prediction in time, 202 past it', async () => {
    const quick = await submit({ ...me, prefer: 'wait=20' });
    expect(quick.status).toBe(200);
    expect(quick.headers.get('preference-applied')).toBe('wait=20');
    expect(quick.body.status).toBe('succeeded');
    expect(quick.body.output?.ranking.length).toBeGreaterThan(0);
    const hung = await submit(
      { ...me, prefer: 'respond-async, wait=1' },
      { ...familyRequest, budget: HANG_BUDGET },
    );
    expect(hung.status).toBe(202);
    expect(hung.headers.get('preference-applied')).toBe('wait=1');
    expect(['queued', 'processing']).toContain(hung.body.status);
    // A processing prediction (its scoring hangs) is canceled, and stays canceled, unscored.
    await eventually('it is processing', async () =>
      (await get(hung.body.id, me)).body.status === 'processing' ? true : undefined,
    );
    const canceled = await cancel(hung.body.id, me);
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    expect(await rankingRows(hung.body.id)).toBe(0);
  }, 60_000);
});

describe('cancel racing completion', () => {
  it('ends each prediction either canceled and unscored, or succeeded with a 409 to the cancel', async () => {
    const me = await newClient();
    const restarted = await startWorker(platform.env);
    try {
      const ids = await Promise.all(
        Array.from({ length: 24 }, async () => (await submit(me)).body.id),
      );
      const answers = await Promise.all(
        ids.map(async (id, i) => {
          await new Promise((r) => setTimeout(r, i * 5));
          return cancel(id, me);
        }),
      );
      const outcomes = { canceled: 0, succeeded: 0 };
      for (const [i, id] of ids.entries()) {
        const final = await eventually('it ended', async () => {
          const read = await get(id, me);
          return ['canceled', 'succeeded'].includes(read.body.status) ? read.body : undefined;
        });
        const rows = await rankingRows(id);
        if (answers[i]!.status === 200) {
          expect(final.status).toBe('canceled');
          expect(rows).toBe(0);
          outcomes.canceled += 1;
        } else {
          expect(answers[i]!.status).toBe(409);
          expect(final.status).toBe('succeeded');
          expect(rows).toBeGreaterThan(0);
          outcomes.succeeded += 1;
        }
      }
      expect(outcomes.canceled + outcomes.succeeded).toBe(ids.length);
    } finally {
      await restarted.stop();
    }
  }, 90_000);
});
