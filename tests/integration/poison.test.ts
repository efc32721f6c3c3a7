// Faults of a prediction's own. A poison prediction that kills every worker that scores it (a
// failpoint: a budget that crashes the process) ends failed with that reason once scoring it
// alone killed POISON_MAX_CRASHES workers, while the predictions that were in hand beside it
// succeed: once a job has stalled it is scored alone, as the only job its worker holds. One that hangs its micro-batch turns the worker's /healthz to
// 503 with the reason, and fails after its attempts, each in a batch of its own.
import { PredictqClient } from '@predictq/client';

import { familyRequest } from '../fixtures/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { statusCounts, waitUntil } from '../support/ledger';
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

async function predictionRow(context: Context, id: string) {
  const { rows } = await context.database.pool.query<{ status: string; error: string | null }>(
    'select status, error from predictions where id = $1',
    [id],
  );
  return rows[0]!;
}

describe('a prediction that crashes every worker that scores it', () => {
  let context: Context | undefined;
  afterAll(() => tearDown(context));

  it('ends failed with that reason after the crashes allowed; the others succeed', async () => {
    context = await setUp({
      PREDICTQ_FAILPOINTS: 'score.crash-on-budget=777.5',
      POISON_MAX_CRASHES: '2',
      JOB_LOCK_MS: '1000',
      STALLED_INTERVAL_MS: '500',
      SWEEP_INTERVAL_MS: '500',
      SWEEP_AFTER_MS: '1000',
    });
    const ctx = context;
    const poison = await ctx.client.submitPrediction({ ...familyRequest, budget: 777.5 });
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        ctx.client.submitPrediction({ ...familyRequest, budget: 200 + i }),
      ),
    );
    // Workers keep crashing on it; a supervisor (here, the test) starts a new one each time.
    let crashes = 0;
    while ((await predictionRow(ctx, poison.id)).status !== 'failed') {
      const worker = await startWorker(ctx.env);
      ctx.workers.push(worker);
      const ended = await Promise.race([
        worker.exited.then(() => 'crashed' as const),
        waitUntil(
          'the poison prediction failed',
          async () => (await predictionRow(ctx, poison.id)).status === 'failed',
          30_000,
        ).then(() => 'failed' as const),
      ]);
      if (ended === 'crashed') crashes += 1;
      expect(crashes).toBeLessThanOrEqual(4);
    }
    expect(crashes).toBe(3);
    expect((await predictionRow(ctx, poison.id)).error).toMatch(
      /scoring this prediction alone stopped its worker 2 times/,
    );
    const last = ctx.workers.at(-1)!;
    if (!last.running) ctx.workers.push(await startWorker(ctx.env));
    await waitUntil(
      'the other predictions succeeded',
      async () => (await statusCounts(ctx.database.pool)).succeeded === n,
    );
    expect(await statusCounts(ctx.database.pool)).toEqual({ succeeded: n, failed: 1 });
  }, 180_000);
});

describe('a prediction whose micro-batch hangs', () => {
  let context: Context | undefined;
  afterAll(() => tearDown(context));

  it('turns /healthz to 503 with the reason; restarted, the worker fails it after its attempts', async () => {
    context = await setUp({
      PREDICTQ_FAILPOINTS: 'score.hang-on-budget=666.5',
      BATCH_DEADLINE_MS: '500',
      BATCH_MAX_IN_FLIGHT: '1',
      INFERENCE_ATTEMPTS: '2',
      INFERENCE_BACKOFF_MS: '100',
      JOB_LOCK_MS: '1000',
      STALLED_INTERVAL_MS: '500',
    });
    const ctx = context;
    const stuck = await startWorker(ctx.env);
    ctx.workers.push(stuck);
    const hung = await ctx.client.submitPrediction({ ...familyRequest, budget: 666.5 });
    await waitUntil(
      'the worker reports unhealthy',
      async () => (await fetch(`${stuck.url}/healthz`)).status === 503,
      20_000,
    );
    const health = (await (await fetch(`${stuck.url}/healthz`)).json()) as { reason: string };
    expect(health.reason).toMatch(/a micro-batch has been running for \d+ ms/);
    // The stuck worker never fails the job for its own state: the retry waits, put back each
    // time without an attempt, until an orchestrator replaces the unhealthy worker.
    expect((await predictionRow(ctx, hung.id)).status).not.toBe('failed');
    await stuck.stop('SIGKILL');
    ctx.workers.push(await startWorker(ctx.env));
    await waitUntil(
      'the hung prediction failed',
      async () => (await predictionRow(ctx, hung.id)).status === 'failed',
      30_000,
    );
    expect((await predictionRow(ctx, hung.id)).error).toMatch(/did not finish within 500 ms/);
  }, 90_000);
});
