// Redis loses everything (a Redis of the test's own, killed and restarted empty). PostgreSQL holds
// every accepted prediction and training run, so nothing is lost: the worker notices the reset at
// once (not after SWEEP_AFTER_MS) and enqueues the whole backlog again, pipelined and in bulk.
import { randomUUID } from 'node:crypto';

import { PredictqClient } from '@predictq/client';
import { createTrainingRun } from '@predictq/db';
import { createTrainingQueue, enqueueTraining, QUEUES, queuePrefix } from '@predictq/queue';
import { Redis } from 'ioredis';

import { familyRequest } from '../fixtures/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectAllSucceeded, statusCounts, waitUntil } from '../support/ledger';
import { LocalRedis } from '../../scripts/lib/local-servers/redis-server';
import {
  type PlatformEnv,
  type PlatformProcess,
  startApi,
  startWorker,
} from '../support/processes';
import { testQueuePrefix } from '../support/redis';
import { simulateSessions } from '../support/sessions';

const TOKEN = 'test-operator-token-0123456789';
let redis: LocalRedis;
let database: TestDatabase;
let env: PlatformEnv;
let api: PlatformProcess;
const workers: PlatformProcess[] = [];
let client: PredictqClient;

beforeAll(async () => {
  redis = await LocalRedis.start();
  database = await createTestDatabase({ seeded: true });
  env = {
    databaseUrl: database.url,
    queuePrefix: testQueuePrefix(),
    REDIS_URL: redis.url,
    BOOTSTRAP: 'false',
    INFERENCE_ATTEMPTS: '1',
    // Only the reset can explain a recovery within the test's time.
    SWEEP_INTERVAL_MS: '600000',
    SWEEP_AFTER_MS: '600000',
    ADMIN_TOKEN: TOKEN,

    // The test builds a backlog on purpose: admission control would refuse it.
    ADMISSION_MAX_WAITING: '0',
    ADMISSION_MAX_WAIT_MS: '0',
  };
  api = await startApi(env);
  client = new PredictqClient({ baseUrl: api.url });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([api?.stop(), ...workers.map((w) => w.stop('SIGKILL'))]);
  await database?.drop();
  await redis?.destroy();
});

async function submitAll(n: number, from: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      while (next < n) await client.submitPrediction({ ...familyRequest, budget: from + next++ });
    }),
  );
}

async function queueLength(): Promise<number> {
  const probe = new Redis(redis.url);
  try {
    return await probe.llen(`${queuePrefix(env.queuePrefix, QUEUES.inference)}:inference:wait`);
  } finally {
    probe.disconnect();
  }
}

it('a backlog of 2,000 accepted predictions is enqueued again at once and all succeed', async () => {
  const n = 2_000;
  await submitAll(n, 100);
  expect(await queueLength()).toBe(n);
  await redis.kill();
  await redis.start();
  expect(await queueLength()).toBe(0);

  const wiped = Date.now();
  const worker = await startWorker(env);
  workers.push(worker);
  const line = await worker.waitForLog((l) => l.message === 'recovery sweep acted', 30_000);
  expect(line).toMatchObject({ trigger: 'redis_reset', reenqueued: n, errors: 0 });
  await waitUntil(
    'every prediction succeeded',
    async () => (await statusCounts(database.pool)).succeeded === n,
    60_000,
  );
  await expectAllSucceeded(database.pool, n);
  // Far sooner than SWEEP_AFTER_MS: the reset was noticed, not waited out.
  expect(Date.now() - wiped).toBeLessThan(60_000);
}, 120_000);

it('Redis lost while the worker scores: every prediction succeeds, none fails', async () => {
  const before = (await statusCounts(database.pool)).succeeded ?? 0;
  const n = 1_000;
  await submitAll(n, 10_000);
  await waitUntil(
    'some predictions succeeded',
    async () => ((await statusCounts(database.pool)).succeeded ?? 0) >= before + 50,
  );
  await redis.kill();
  await redis.start();
  await waitUntil(
    'every prediction succeeded',
    async () => (await statusCounts(database.pool)).succeeded === before + n,
    60_000,
  );
  await expectAllSucceeded(database.pool, before + n);
  expect(workers[0]!.running).toBe(true);
}, 120_000);

it('a training run whose job Redis lost is enqueued again and runs', async () => {
  await workers.pop()!.stop();
  const runId = randomUUID();
  await createTrainingRun(database.db, runId, {});
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = createTrainingQueue(connection, env.queuePrefix);
  await enqueueTraining(queue, runId);
  await queue.close();
  connection.disconnect();
  await redis.kill();
  await redis.start();

  const worker = await startWorker(env);
  workers.push(worker);
  // Too few labels in this database: the run fails with that reason, which proves it ran.
  await waitUntil(
    'the training run ended',
    async () => {
      const { rows } = await database.pool.query<{ status: string }>(
        'select status from training_runs where id = $1',
        [runId],
      );
      return rows[0]?.status === 'failed';
    },
    30_000,
  );
  const { rows } = await database.pool.query<{ error: string }>(
    'select error from training_runs where id = $1',
    [runId],
  );
  expect(rows[0]!.error).toMatch(/too few labelled rows/);
}, 60_000);

it('Redis lost during a training run kills nothing: the run ends and the worker keeps scoring', async () => {
  const worker = workers.at(-1)!;
  await simulateSessions(client, 40, { seed: 3, concurrency: 8 });
  const started = await fetch(`${api.url}/v1/models/train`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ epochs: 500 }),
  });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  const status = async () => {
    const { rows } = await database.pool.query<{ status: string; progress: unknown }>(
      'select status, progress from training_runs where id = $1',
      [id],
    );
    return rows[0]!;
  };
  await waitUntil('the run reports progress', async () => (await status()).progress !== null);
  await redis.kill();
  await redis.start();
  await waitUntil('the run ended', async () => (await status()).status === 'succeeded', 60_000);
  expect(worker.running).toBe(true);
  expect(worker.logs.filter((l) => /unhandled|uncaught/.test(String(l.message)))).toEqual([]);
  // It still scores.
  const accepted = await client.submitPrediction({ ...familyRequest, budget: 99 });
  await waitUntil('a new prediction succeeded', async () => {
    const { rows } = await database.pool.query<{ status: string }>(
      'select status from predictions where id = $1',
      [accepted.id],
    );
    return rows[0]?.status === 'succeeded';
  });
}, 120_000);
