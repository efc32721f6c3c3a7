// Nothing accepted is lost: a worker stopped (SIGTERM) or killed (SIGKILL) in the middle of the
// work, and a job the queue never received, all end with every prediction succeeded once.
import { randomUUID } from 'node:crypto';

import { PredictqClient } from '@predictq/client';
import { createPrediction } from '@predictq/db';
import { enrichRequest } from '@predictq/domain';

import { familyRequest } from '../fixtures/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  type PlatformEnv,
  type PlatformProcess,
  startApi,
  startWorker,
} from '../support/processes';
import { deleteKeysWithPrefix, testQueuePrefix } from '../support/redis';

interface Context {
  database: TestDatabase;
  env: PlatformEnv;
  api: PlatformProcess;
  client: PredictqClient;
  workers: PlatformProcess[];
}

async function setUp(extra: Record<string, string>): Promise<Context> {
  const database = await createTestDatabase({ seeded: true });
  const env: PlatformEnv = {
    databaseUrl: database.url,
    queuePrefix: testQueuePrefix(),
    BOOTSTRAP: 'false',
    ...extra,
  };
  const api = await startApi(env);
  return { database, env, api, client: new PredictqClient({ baseUrl: api.url }), workers: [] };
}

async function tearDown(context: Context | undefined): Promise<void> {
  if (!context) return;
  await context.client.close();
  await Promise.all([context.api.stop(), ...context.workers.map((w) => w.stop('SIGKILL'))]);
  await context.database.drop();
  await deleteKeysWithPrefix(context.env.queuePrefix);
}

async function statusCounts(database: TestDatabase): Promise<Record<string, number>> {
  const { rows } = await database.pool.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from predictions group by status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function submitMany(context: Context, n: number): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      context.client.submitPrediction({ ...familyRequest, budget: 100 + i }),
    ),
  );
}

/** Every prediction succeeded, each with exactly one ranking of 10 stays. */
async function expectAllSucceededOnce(context: Context, n: number): Promise<void> {
  expect(await statusCounts(context.database)).toEqual({ succeeded: n });
  const { rows } = await context.database.pool.query<{ n: number; stays: number }>(
    `select count(*)::int as n, min(c)::int as stays from
       (select count(*) as c from rankings group by prediction_id having max(rank) = 10) per`,
  );
  expect(rows[0]).toEqual({ n, stays: 10 });
  const { rows: duplicates } = await context.database.pool.query(
    'select count(*)::int as n from rankings group by prediction_id having count(*) <> 10',
  );
  expect(duplicates).toEqual([]);
}

/**
 * Queues n predictions before any worker runs (so the worker is stopped with work left), starts
 * one, and stops it with `signal` once 20 have succeeded.
 */
async function stopMidWork(context: Context, n: number, signal: NodeJS.Signals) {
  await submitMany(context, n);
  const worker = await startWorker(context.env);
  context.workers.push(worker);
  await waitUntil(
    'some predictions succeeded',
    async () => ((await statusCounts(context.database)).succeeded ?? 0) >= 20,
  );
  const exit = await worker.stop(signal);
  return { worker, exit, counts: await statusCounts(context.database) };
}

/** The next worker finishes the work: every prediction succeeds, once. */
async function finishWithNextWorker(context: Context, n: number): Promise<void> {
  context.workers.push(await startWorker(context.env));
  await waitUntil(
    'all predictions succeeded',
    async () => (await statusCounts(context.database)).succeeded === n,
  );
  await expectAllSucceededOnce(context, n);
}

describe('a worker stopped with SIGTERM in the middle of the work', () => {
  let context: Context | undefined;
  afterAll(() => tearDown(context));

  it('finishes the jobs in hand, exits 0, and the next worker does the rest', async () => {
    context = await setUp({ WORKER_CONCURRENCY: '4', BATCH_MAX_SIZE: '2' });
    const n = 300;
    const { worker, exit, counts } = await stopMidWork(context, n, 'SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(worker.logs.some((l) => l.message === 'shutdown complete')).toBe(true);
    // Nothing was left half-done: the jobs in hand finished before the exit.
    expect(counts.processing ?? 0).toBe(0);
    expect(counts.succeeded).toBeLessThan(n);
    expect(counts.failed ?? 0).toBe(0);
    await finishWithNextWorker(context, n);
  }, 120_000);
});

describe('a worker killed with SIGKILL in the middle of the work', () => {
  let context: Context | undefined;
  afterAll(() => tearDown(context));

  it('leaves its jobs to the next worker, which completes every prediction once', async () => {
    context = await setUp({
      WORKER_CONCURRENCY: '4',
      BATCH_MAX_SIZE: '2',
      JOB_LOCK_MS: '1000',
      STALLED_INTERVAL_MS: '500',
    });
    const n = 400;
    const { counts } = await stopMidWork(context, n, 'SIGKILL');
    expect(counts.succeeded).toBeLessThan(n);
    await finishWithNextWorker(context, n);
  }, 120_000);
});

describe('a prediction whose job the queue never received', () => {
  let context: Context | undefined;
  afterAll(() => tearDown(context));

  it('is found by the recovery sweep, enqueued and scored', async () => {
    context = await setUp({ SWEEP_INTERVAL_MS: '200', SWEEP_AFTER_MS: '300' });
    // Stored as the API stores it, but never enqueued (as if Redis had been down).
    const id = randomUUID();
    await createPrediction(context.database.db, { id, request: enrichRequest(familyRequest) });
    const worker = await startWorker(context.env);
    context.workers.push(worker);
    const database = context.database;
    await waitUntil(
      'the prediction succeeded',
      async () => (await statusCounts(database)).succeeded === 1,
    );
    const line = await worker.waitForLog(
      (l) => l.message === 're-enqueued predictions the queue had lost',
    );
    expect(line).toMatchObject({ count: 1, sample: [id] });
  }, 60_000);
});
