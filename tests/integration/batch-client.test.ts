// Batches through the typed client (upload as a string and as a stream, read, list, results as
// CSV and JSON Lines, cancel), the list of predictions filtered by batch_id with each caller's
// visibility, and feedback on a batch's rows as a CSV (POST /v1/batches/{id}/feedback), with the
// per-prediction rules: only shown stays, one feedback per prediction, bad lines reported.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { ApiError, type PredictqClient } from '@predictq/client';
import Papa from 'papaparse';

import { familyRequest } from '../fixtures/domain';
import { call, type ErrorBody } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

const TOKEN = 'batch-client-test-operator-token';
const HEADER =
  'request_id,people_num,people_age,children_num,budget,nights,time_arrival,pool,spa,pet_friendly,lake,mountain,sport';
const row = (id: string, ages = '"40,38,6"', people = 3) =>
  `${id},${people},${ages},1,300,4,2026-08-01,true,false,0,1,false,false`;
const csvOf = (ids: string[]) => [HEADER, ...ids.map((id) => row(id))].join('\n');

interface ListedPage {
  predictions: { id: string }[];
  next_cursor: string | null;
}

let platform: TestPlatform;
let client: PredictqClient;

beforeAll(async () => {
  platform = await startPlatform({ env: { ADMIN_TOKEN: TOKEN, BATCH_WINDOW: '5' } });
  client = platform.client;
}, 90_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

async function finished(id: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await client.getBatch(id);
    if (batch.status !== 'running') return batch;
    if (Date.now() > deadline) throw new Error(`batch ${id} still running`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const parseCsv = (text: string) =>
  Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;

describe('the typed client', () => {
  it('uploads a CSV string and a TSV stream, reads, lists and downloads results as CSV and JSON Lines', async () => {
    const first = await client.submitBatch(csvOf(['a', 'b', 'c']), { idempotencyKey: 'client-1' });
    expect(first.rows).toEqual({ total: 3, accepted: 3, rejected: 0 });
    expect(first.format).toBe('csv');
    // The same key and file: the same batch.
    expect(
      (await client.submitBatch(csvOf(['a', 'b', 'c']), { idempotencyKey: 'client-1' })).id,
    ).toBe(first.id);

    const tsv = csvOf(['x', 'y'])
      .replace(/"40,38,6"/g, '40 38 6')
      .replace(/,/g, '\t');
    const second = await client.submitBatch(Readable.from([Buffer.from(tsv)]), { format: 'tsv' });
    expect(second.format).toBe('tsv');
    expect(second.rows.accepted).toBe(2);

    const done = await finished(first.id);
    expect(done.status).toBe('completed');
    expect(done.counts.succeeded).toBe(3);
    await finished(second.id);

    const page = await client.listBatches({ limit: 1 });
    expect(page.batches.map((b) => b.id)).toEqual([second.id]);
    const next = await client.listBatches({ limit: 1, cursor: page.next_cursor! });
    expect(next.batches.map((b) => b.id)).toEqual([first.id]);

    const csv = parseCsv(await client.batchResultsText(first.id));
    expect(csv.map((r) => [r.row, r.request_id, r.status])).toEqual([
      ['1', 'a', 'succeeded'],
      ['2', 'b', 'succeeded'],
      ['3', 'c', 'succeeded'],
    ]);
    const lines = (await client.batchResultsText(first.id, 'jsonl')).trim().split('\n');
    const jsonl = lines.map((l) => JSON.parse(l) as { prediction_id: string; ranking: unknown[] });
    expect(jsonl.map((r) => r.prediction_id)).toEqual(csv.map((r) => r.prediction_id));
    const prediction = await client.getPrediction(jsonl[0]!.prediction_id);
    expect(jsonl[0]!.ranking).toHaveLength(10);
    expect(prediction.output!.ranking[0]!.location_id).toBe(Number(csv[0]!.location_1));
  }, 120_000);

  it('cancels a running batch, and reports a batch that ended as a 409', async () => {
    const batch = await client.submitBatch(csvOf(Array.from({ length: 60 }, (_, i) => `r${i}`)));
    const canceled = await client.cancelBatch(batch.id);
    expect(canceled.status).toBe('canceled');
    expect(canceled.counts.canceled).toBeGreaterThan(0);
    const again = await client.cancelBatch(batch.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect((again as ApiError).status).toBe(409);
    const missing = await client.getBatch(randomUUID()).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
  }, 60_000);
});

describe('GET /v1/predictions?batch_id=', () => {
  it("lists only the batch's predictions, every one once across pages, and none of another client's batch", async () => {
    const batch = await client.submitBatch(csvOf(Array.from({ length: 13 }, (_, i) => `p${i}`)));
    const alone = await client.submitPrediction(familyRequest);
    const { rows } = await platform.database.pool.query<{ id: string }>(
      'SELECT id FROM predictions WHERE batch_id = $1',
      [batch.id],
    );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request('listPredictions', {
        query: { batch_id: batch.id, limit: 5, ...(cursor ? { cursor } : {}) },
      });
      seen.push(...page.predictions.map((p) => p.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(13);
    expect(new Set(seen)).toEqual(new Set(rows.map((r) => r.id)));
    expect(seen).not.toContain(alone.id);

    // Filters combine: none of the batch's is failed.
    const failed = await client.request('listPredictions', {
      query: { batch_id: batch.id, status: 'failed' },
    });
    expect(failed.predictions).toEqual([]);

    // Another client sees nothing of it; the operator sees all of it.
    const other = await call<{ key: { key: string } }>(platform.api.url, 'POST', '/v1/clients', {
      body: { name: `other-${randomUUID()}` },
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(other.status).toBe(201);
    const theirs = await call<ListedPage>(
      platform.api.url,
      'GET',
      `/v1/predictions?batch_id=${batch.id}`,
      { headers: { authorization: `Bearer ${other.body.key.key}` } },
    );
    expect(theirs.status).toBe(200);
    expect(theirs.body.predictions).toEqual([]);
    const operator = await call<ListedPage>(
      platform.api.url,
      'GET',
      `/v1/predictions?batch_id=${batch.id.toUpperCase()}&limit=100`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    expect(operator.status).toBe(200);
    expect(operator.body.predictions).toHaveLength(13);
  }, 60_000);

  it('refuses a batch_id that is not a uuid with 400 naming the field', async () => {
    const answer = await call<ErrorBody>(platform.api.url, 'GET', '/v1/predictions?batch_id=42');
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([
      expect.objectContaining({ field: 'batch_id', message: expect.stringMatching(/uuid/) }),
    ]);
  });
});

describe('POST /v1/batches/{id}/feedback', () => {
  const feedback = (id: string, csv: string) =>
    call<{
      batch_id: string;
      rows: { total: number; recorded: number; rejected: number };
      errors: { row: number; field: string; reason: string }[];
    }>(platform.api.url, 'POST', `/v1/batches/${id}/feedback`, {
      body: csv,
      headers: { 'content-type': 'text/csv' },
    });

  it('records the lines the per-prediction rules allow and reports every other with row, field and reason', async () => {
    const file = [HEADER, row('a'), row('b'), row('bad', '"40,x,6"'), row('c'), row('d')].join(
      '\n',
    );
    const batch = await client.submitBatch(file);
    expect(batch.rows.rejected).toBe(1);
    await finished(batch.id);

    // Nothing downloaded yet: nothing shown, so a chosen stay is refused (none fitted is not).
    const early = await platform.database.pool.query<{ id: string; batch_row: number }>(
      'SELECT id, batch_row FROM predictions WHERE batch_id = $1 ORDER BY batch_row',
      [batch.id],
    );
    const top = await platform.database.pool.query<{ location_id: number }>(
      'SELECT location_id FROM rankings WHERE prediction_id = $1 AND rank = 1',
      [early.rows[0]!.id],
    );
    const unshown = await feedback(
      batch.id,
      `prediction_id,location_id\n${early.rows[0]!.id},${top.rows[0]!.location_id}`,
    );
    expect(unshown.status).toBe(200);
    expect(unshown.body.rows).toEqual({ total: 1, recorded: 0, rejected: 1 });
    expect(unshown.body.errors[0]).toMatchObject({ row: 1, field: 'location_id' });

    // The results deliver the rankings: now they are shown.
    const results = parseCsv(await client.batchResultsText(batch.id));
    const byRow = new Map(results.map((r) => [r.row, r]));
    const a = byRow.get('1')!;
    const c = byRow.get('4')!;
    const d = byRow.get('5')!;
    // The results CSV goes back with a location_id column: its other columns are ignored.
    const lines = [
      'row,prediction_id,location_id,note',
      `,${a.prediction_id},${a.location_3},chosen third`, // 1 recorded (chosen, rank 3)
      `2,,none,none fitted`, // 2 recorded (none)
      `3,,${a.location_1},a rejected row`, // 3 no prediction at row 3
      `,${randomUUID()},${a.location_1},not of this batch`, // 4
      `,${c.prediction_id},999999,never shown`, // 5 location not shown
      `,${a.prediction_id},${a.location_1},again`, // 6 repeat of line 1
      `5,${c.prediction_id},${c.location_1},row and id disagree`, // 7
      `abc,,1,bad row`, // 8
      `,not-a-uuid,1,bad id`, // 9
      `,${d.prediction_id},-3,bad location`, // 10
      `,,1,neither`, // 11
      `${d.row},,${d.location_2},by row`, // 12 recorded (chosen, rank 2)
    ].join('\n');
    const answer = await feedback(batch.id, lines);
    expect(answer.status).toBe(200);
    expect(answer.body.rows).toEqual({ total: 12, recorded: 3, rejected: 9 });
    expect(answer.body.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'row'],
      [4, 'prediction_id'],
      [5, 'location_id'],
      [6, 'prediction_id'],
      [7, 'row'],
      [8, 'row'],
      [9, 'prediction_id'],
      [10, 'location_id'],
      [11, 'prediction_id'],
    ]);
    expect(answer.body.errors.find((e) => e.row === 6)!.reason).toMatch(/already in row 1/);

    const stored = await platform.database.pool.query<{
      prediction_id: string;
      outcome: string;
      chosen_rank: number | null;
    }>(
      `SELECT f.prediction_id, f.outcome, f.chosen_rank FROM feedback f
       JOIN predictions p ON p.id = f.prediction_id WHERE p.batch_id = $1 ORDER BY p.batch_row`,
      [batch.id],
    );
    expect(stored.rows.map((r) => [r.prediction_id, r.outcome, r.chosen_rank])).toEqual([
      [a.prediction_id, 'chosen', 3],
      [byRow.get('2')!.prediction_id, 'none', null],
      [d.prediction_id, 'chosen', 2],
    ]);

    // The same file again: nothing more is recorded, each recorded line is reported as given.
    const replay = await feedback(batch.id, lines);
    expect(replay.body.rows.recorded).toBe(0);
    expect(replay.body.errors.find((e) => e.row === 1)!.reason).toMatch(/already given/);

    // Through the client, as a stream.
    const viaClient = await client.sendBatchFeedback(
      batch.id,
      Readable.from([`row,location_id\n4,${c.location_1}\n`]),
    );
    expect(viaClient.rows).toEqual({ total: 1, recorded: 1, rejected: 0 });
  }, 120_000);

  it('refuses a file without its columns with 400, and an unknown batch with 404', async () => {
    const batch = await client.submitBatch(csvOf(['z']));
    const missing = await call<ErrorBody>(
      platform.api.url,
      'POST',
      `/v1/batches/${batch.id}/feedback`,
      { body: 'prediction_id,chosen\nx,1', headers: { 'content-type': 'text/csv' } },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'location_id' })]);
    const unknown = await call<ErrorBody>(
      platform.api.url,
      'POST',
      `/v1/batches/${randomUUID()}/feedback`,
      { body: 'row,location_id\n1,1', headers: { 'content-type': 'text/csv' } },
    );
    expect(unknown.status).toBe(404);
  }, 60_000);
});
