// Batches through the real API and worker: a CSV in, a CSV out with one row per input row, in
// order; every kind of bad file refused with nothing stored; limits; idempotency; the window the
// feeder keeps in Redis; cancel; a worker killed mid-batch.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Redis } from 'ioredis';
import Papa from 'papaparse';

import { cancelBatchPredictions, finishBatchCancels } from '@predictq/predictions';

import { countRows } from '../support/database';
import { REDIS_URL } from '../support/env';
import { call, type ErrorBody } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { startWorker } from '../support/processes';

interface BatchBody {
  id: string;
  status: string;
  rows: { total: number; accepted: number; rejected: number };
  counts: Record<
    'queued' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'rejected',
    number
  >;
  progress: number;
  eta_seconds: number | null;
}

const HEADER =
  'request_id,people_num,people_age,children_num,budget,nights,time_arrival,pool,spa,pet_friendly,lake,mountain,sport';
const row = (id: string, ages = '"40,38,6"', people = 3) =>
  `${id},${people},${ages},1,300,4,2026-08-01,true,false,0,1,false,false`;

async function upload(
  platform: TestPlatform,
  body: string | FormData,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${platform.api.url}/v1/batches`, {
    method: 'POST',
    headers: typeof body === 'string' ? { 'content-type': 'text/csv', ...headers } : headers,
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
}

async function waitForBatch(platform: TestPlatform, id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call<BatchBody>(platform.api.url, 'GET', `/v1/batches/${id}`);
    if (body.status !== 'running') return body;
    if (Date.now() > deadline)
      throw new Error(`batch ${id} still running: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function results(platform: TestPlatform, id: string, format = 'csv') {
  const response = await fetch(`${platform.api.url}/v1/batches/${id}/results.csv?format=${format}`);
  expect(response.status).toBe(200);
  return response.text();
}

const parseCsv = (text: string) =>
  Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;

describe('batches', () => {
  let platform: TestPlatform;
  let dataDir: string;

  beforeAll(async () => {
    platform = await startPlatform({
      env: { BATCH_MAX_ROWS: '200', BATCH_MAX_BYTES: '60000', BATCH_WINDOW: '20' },
    });
    dataDir = await mkdtemp(path.join(tmpdir(), 'predictq-batch-'));
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/dataset.ts',
        '--seed',
        '7',
        '--requests',
        '60',
        '--out',
        dataDir,
      ],
      { cwd: path.resolve(__dirname, '..', '..') },
    );
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const stored = async () => ({
    batches: await countRows(platform.database, 'SELECT count(*)::int AS n FROM batches'),
    predictions: await countRows(platform.database, 'SELECT count(*)::int AS n FROM predictions'),
    errors: await countRows(platform.database, 'SELECT count(*)::int AS n FROM batch_row_errors'),
  });

  it("accepts the dataset generator's requests.tsv as it is, and gives one result row per input row, in order, matching each prediction", async () => {
    const tsv = await readFile(path.join(dataDir, 'requests.tsv'), 'utf8');
    const input = Papa.parse<Record<string, string>>(tsv, {
      header: true,
      delimiter: '\t',
      skipEmptyLines: true,
    }).data;
    const response = await fetch(`${platform.api.url}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/tab-separated-values' },
      body: tsv,
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as BatchBody;
    expect(response.headers.get('location')).toBe(`/v1/batches/${accepted.id}`);
    expect(accepted.rows).toEqual({ total: 60, accepted: 60, rejected: 0 });

    const done = await waitForBatch(platform, accepted.id);
    expect(done.status).toBe('completed');
    expect(done.counts.succeeded).toBe(60);
    expect(done.progress).toBe(1);

    const text = await results(platform, accepted.id);
    const out = parseCsv(text);
    expect(out).toHaveLength(60);
    expect(out.map((r) => Number(r.row))).toEqual(input.map((_, i) => i + 1));
    expect(out.map((r) => r.request_id)).toEqual(input.map((r) => r.request_id));
    for (const r of out.slice(0, 3)) {
      expect(r.status).toBe('succeeded');
      const { body } = await call<{
        output: { ranking: { location_id: number; score: number }[] };
      }>(platform.api.url, 'GET', `/v1/predictions/${r.prediction_id}`);
      body.output.ranking.forEach((stay, k) => {
        expect(Number(r[`location_${k + 1}`])).toBe(stay.location_id);
        expect(Number(r[`score_${k + 1}`])).toBeCloseTo(stay.score, 6);
      });
    }
    // Results were delivered: feedback on a batch row is taken.
    const first = out[0]!;
    const feedback = await call(
      platform.api.url,
      'POST',
      `/v1/predictions/${first.prediction_id}/feedback`,
      { body: { location_id: Number(first.location_1) } },
    );
    expect(feedback.status).toBe(201);
    // A finished batch downloads as the same bytes again.
    expect(await results(platform, accepted.id)).toBe(text);
    const jsonl = (await results(platform, accepted.id, 'jsonl')).trim().split('\n');
    expect(jsonl).toHaveLength(60);
    expect(JSON.parse(jsonl[0]!)).toMatchObject({ row: 1, status: 'succeeded' });
  }, 90_000);

  it('takes a multipart file, and its quoting survives commas, quotes and newlines in request_id', async () => {
    const ids = ['plain', 'with, comma', 'with "quotes"', 'two\nlines'];
    const csv = [HEADER, ...ids.map((id) => row(`"${id.replace(/"/g, '""')}"`, '40;38 6'))].join(
      '\r\n',
    );
    const form = new FormData();
    form.append('file', new Blob([csv], { type: 'text/csv' }), 'requests.csv');
    const answer = await upload(platform, form);
    expect(answer.status).toBe(202);
    const batch = answer.body as BatchBody;
    await waitForBatch(platform, batch.id);
    const out = parseCsv(await results(platform, batch.id));
    expect(out.map((r) => r.request_id)).toEqual(ids);
    expect(out.every((r) => r.status === 'succeeded')).toBe(true);
  }, 60_000);

  it('reports every kind of invalid row with its row, field and reason, and never enqueues it', async () => {
    const csv = [
      HEADER,
      row('ok'),
      row('bad-age', '"40,x,6"'),
      row('age-count', '"40,38"'),
      'bad-bool,3,"40,38,6",1,300,4,2026-08-01,maybe,false,0,1,false,false',
      'bad-date,3,"40,38,6",1,300,4,2026-13-45,true,false,0,1,false,false',
      'neg-budget,3,"40,38,6",1,-5,4,2026-08-01,true,false,0,1,false,false',
      'missing,3,"40,38,6",1,300,,2026-08-01,true,false,0,1,false,false',
      'children,3,"40,38,6",9,300,4,2026-08-01,true,false,0,1,false,false',
    ].join('\n');
    const answer = await upload(platform, csv);
    expect(answer.status).toBe(202);
    const batch = answer.body as BatchBody;
    expect(batch.rows).toEqual({ total: 8, accepted: 1, rejected: 7 });
    const done = await waitForBatch(platform, batch.id);
    expect(done.counts).toMatchObject({ succeeded: 1, rejected: 7 });
    const out = parseCsv(await results(platform, batch.id));
    expect(out.map((r) => [r.row, r.status])).toEqual([
      ['1', 'succeeded'],
      ...[2, 3, 4, 5, 6, 7, 8].map((n) => [String(n), 'rejected']),
    ]);
    const errorOf = (id: string) => out.find((r) => r.request_id === id)!.error;
    expect(errorOf('bad-age')).toMatch(/^people_age\.1: /);
    expect(errorOf('age-count')).toMatch(/^people_age: must have one age per person/);
    expect(errorOf('bad-bool')).toMatch(/^pool: /);
    expect(errorOf('bad-date')).toMatch(/^time_arrival: /);
    expect(errorOf('neg-budget')).toMatch(/^budget: /);
    expect(errorOf('missing')).toBe('nights: required');
    expect(errorOf('children')).toMatch(/^children_num: must be at most people_num/);
    // Only the valid row became a prediction.
    const { rows } = await platform.database.pool.query(
      'SELECT count(*)::int AS n FROM predictions WHERE batch_id = $1',
      [batch.id],
    );
    expect(rows[0].n).toBe(1);
  }, 60_000);

  it.each([
    ['a missing column', HEADER.replace(',nights', '') + '\n' + row('a'), /nights/],
    ['an unknown column', HEADER + ',colour\n' + row('a') + ',red', /colour/],
    ['a broken quote', `${HEADER}\n${row('a')}\n"broken,3,"40,38,6",1,300\n${row('b')}`, /row 2/],
    ['a row with too many fields', `${HEADER}\n${row('a')}\n${row('b')},extra`, /row 2/],
    ['no header at all', '', /empty/],
    ['binary data', `${HEADER}\n${row('a')}\n\u0000\u0001\u0002`, /NUL/],
    ['JSON', JSON.stringify({ people_num: 3 }), /unknown column/],
  ])(
    'refuses %s with 400 naming the row and column, storing nothing',
    async (_name, csv, message) => {
      const before = await stored();
      const answer = await upload(platform, csv);
      expect(answer.status).toBe(400);
      const error = (answer.body as ErrorBody).error;
      expect(error.code).toBe('invalid_file');
      expect(error.message).toMatch(message);
      expect(await stored()).toEqual(before);
    },
  );

  it('refuses a file with more rows than BATCH_MAX_ROWS, or more bytes than BATCH_MAX_BYTES, with 413, storing nothing', async () => {
    const before = await stored();
    const tooMany = [HEADER, ...Array.from({ length: 201 }, (_, i) => row(`r${i}`))].join('\n');
    const rows = await upload(platform, tooMany);
    expect(rows.status).toBe(413);
    expect((rows.body as ErrorBody).error.message).toMatch(/BATCH_MAX_ROWS/);
    const long = 'x'.repeat(1000);
    const tooBig = [HEADER, ...Array.from({ length: 70 }, (_, i) => row(`${long}${i}`))].join('\n');
    const bytes = await upload(platform, tooBig);
    expect(bytes.status).toBe(413);
    expect((bytes.body as ErrorBody).error.message).toMatch(/BATCH_MAX_BYTES/);
    expect(await stored()).toEqual(before);
  });

  it('refuses what is not CSV by its content type with 415', async () => {
    const answer = await call(platform.api.url, 'POST', '/v1/batches', { body: { a: 1 } });
    expect(answer.status).toBe(415);
  });

  it('honours Idempotency-Key: the same file returns the same batch, another file is a 422', async () => {
    const csv = [HEADER, row('a'), row('b')].join('\n');
    const key = { 'Idempotency-Key': `batch-${Date.now()}` };
    const first = await upload(platform, csv, key);
    const again = await upload(platform, csv, key);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((again.body as BatchBody).id).toBe((first.body as BatchBody).id);
    const other = await upload(platform, [HEADER, row('c')].join('\n'), key);
    expect(other.status).toBe(422);
  });

  it('lists the batches newest first with a cursor', async () => {
    const page1 = await call<{ batches: BatchBody[]; next_cursor: string | null }>(
      platform.api.url,
      'GET',
      '/v1/batches?limit=2',
    );
    expect(page1.status).toBe(200);
    expect(page1.body.batches).toHaveLength(2);
    const page2 = await call<{ batches: BatchBody[]; next_cursor: string | null }>(
      platform.api.url,
      'GET',
      `/v1/batches?limit=2&cursor=${page1.body.next_cursor}`,
    );
    const ids = [...page1.body.batches, ...page2.body.batches].map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps at most BATCH_WINDOW of a batch in the queue, scores interactive requests meanwhile, and cancels what is still queued', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = `${platform.env.queuePrefix}:inference`;
    try {
      const csv = [HEADER, ...Array.from({ length: 200 }, (_, i) => row(`w${i}`))].join('\n');
      const answer = await upload(platform, csv);
      const batch = answer.body as BatchBody;
      let most = 0;
      let canceled = false;
      let interactiveMs = 0;
      for (let i = 0; i < 200; i += 1) {
        const [prioritized, active] = await Promise.all([
          redis.zcard(`${prefix}:prioritized`),
          redis.llen(`${prefix}:active`),
        ]);
        most = Math.max(most, prioritized + active);
        if (i === 5) {
          const started = Date.now();
          const submitted = await call<{ id: string }>(
            platform.api.url,
            'POST',
            '/v1/predictions',
            {
              body: JSON.parse(JSON.stringify(INTERACTIVE)),
            },
          );
          const read = await call<{ status: string }>(
            platform.api.url,
            'GET',
            `/v1/predictions/${submitted.body.id}?wait=10`,
          );
          expect(read.body.status).toBe('succeeded');
          interactiveMs = Date.now() - started;
        }
        if (i === 10) {
          const cancel = await call<BatchBody>(
            platform.api.url,
            'POST',
            `/v1/batches/${batch.id}/cancel`,
          );
          expect(cancel.status).toBe(200);
          expect(cancel.body.status).toBe('canceled');
          canceled = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(canceled).toBe(true);
      expect(most).toBeLessThanOrEqual(20);
      expect(interactiveMs).toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 1_000));
      const { body } = await call<BatchBody>(platform.api.url, 'GET', `/v1/batches/${batch.id}`);
      expect(body.counts.canceled).toBeGreaterThan(0);
      expect(body.counts.queued + body.counts.processing).toBe(0);
      expect(body.counts.canceled + body.counts.succeeded).toBe(200);
      const again = await call(platform.api.url, 'POST', `/v1/batches/${batch.id}/cancel`);
      expect(again.status).toBe(409);
      const out = parseCsv(await results(platform, batch.id));
      expect(out).toHaveLength(200);
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  it('finishes every row when its worker is killed mid-batch', async () => {
    const csv = [HEADER, ...Array.from({ length: 150 }, (_, i) => row(`k${i}`))].join('\n');
    const batch = (await upload(platform, csv)).body as BatchBody;
    await new Promise((r) => setTimeout(r, 300));
    await platform.worker!.stop('SIGKILL');
    const worker = await startWorker({
      ...platform.env,
      JOB_LOCK_MS: '2000',
      STALLED_INTERVAL_MS: '1000',
      BATCH_WINDOW_CHECK_MS: '1000',
    });
    try {
      const done = await waitForBatch(platform, batch.id, 90_000);
      expect(done.status).toBe('completed');
      expect(done.counts.succeeded).toBe(150);
    } finally {
      await worker.stop();
    }
  }, 120_000);

  // Runs last: no worker is left, so nothing is fed and every row stays queued.
  it('cancels a large batch in chunks: the first with the cancel, the rest by the feeder', async () => {
    const csv = [HEADER, ...Array.from({ length: 60 }, (_, i) => row(`c${i}`))].join('\n');
    const batch = (await upload(platform, csv)).body as BatchBody;
    const { db } = platform.database;
    const queued = async () =>
      countRows(
        platform.database,
        `SELECT count(*)::int AS n FROM predictions WHERE batch_id = $1 AND status = 'queued'`,
        [batch.id],
      );
    expect(await queued()).toBe(60);

    const first = await cancelBatchPredictions(db, batch.id, undefined, 25);
    expect(first).toHaveLength(25);
    expect(await queued()).toBe(35);
    const { body } = await call<BatchBody>(platform.api.url, 'GET', `/v1/batches/${batch.id}`);
    expect(body.status).toBe('canceled');
    // Cancelled once only: a second cancel is refused, whatever is left for the feeder.
    expect(await cancelBatchPredictions(db, batch.id, undefined, 25)).toBeUndefined();

    expect(await finishBatchCancels(db, { chunk: 7, maxRows: 20 })).toBe(20);
    expect(await queued()).toBe(15);
    expect(await finishBatchCancels(db, { chunk: 7 })).toBe(15);
    expect(await finishBatchCancels(db, { chunk: 7 })).toBe(0);
    const after = await call<BatchBody>(platform.api.url, 'GET', `/v1/batches/${batch.id}`);
    expect(after.body.counts.canceled).toBe(60);
    expect(after.body.counts.queued).toBe(0);
  }, 60_000);
});

const INTERACTIVE = {
  people_num: 2,
  people_age: [30, 31],
  children_num: 0,
  budget: 250,
  nights: 2,
  time_arrival: '2026-07-14',
  pool: true,
  spa: false,
  pet_friendly: false,
  lake: true,
  mountain: false,
  sport: false,
};
