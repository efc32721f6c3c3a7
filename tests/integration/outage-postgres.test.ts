// PostgreSQL goes away while a backlog is being scored (a PostgreSQL of the test's own, stopped
// and started again). An outage is not the predictions' fault: with a single attempt allowed,
// every prediction still succeeds, because the worker puts the jobs in hand back without counting
// an attempt and takes no more until the database answers.
import { PredictqClient } from '@predictq/client';

import { familyRequest } from '../fixtures/domain';
import { expectAllSucceeded, statusCounts, waitUntil } from '../support/ledger';
import {
  type OwnPlatformDatabase,
  startOwnPlatformDatabase,
} from '../support/own-platform-database';
import {
  type PlatformEnv,
  type PlatformProcess,
  startApi,
  startWorker,
} from '../support/processes';
import { deleteKeysWithPrefix, testQueuePrefix } from '../support/redis';

let own: OwnPlatformDatabase;
let env: PlatformEnv;
let api: PlatformProcess;
let worker: PlatformProcess | undefined;
let client: PredictqClient;

beforeAll(async () => {
  own = await startOwnPlatformDatabase();
  env = {
    databaseUrl: own.url,
    queuePrefix: testQueuePrefix(),
    BOOTSTRAP: 'false',
    // One attempt: any outage counted against a prediction would fail it.
    INFERENCE_ATTEMPTS: '1',
    WORKER_CONCURRENCY: '8',
    BATCH_MAX_SIZE: '4',
    OUTAGE_RETRY_DELAY_MS: '300',
    DEPENDENCY_PROBE_INTERVAL_MS: '200',
    DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
    SWEEP_INTERVAL_MS: '1000',
    SWEEP_AFTER_MS: '3000',

    // The test builds a backlog on purpose: admission control would refuse it.
    ADMISSION_MAX_WAITING: '0',
    ADMISSION_MAX_WAIT_MS: '0',
  };
  api = await startApi(env);
  client = new PredictqClient({ baseUrl: api.url });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([api?.stop(), worker?.stop('SIGKILL')]);
  await own?.destroy();
  if (env) await deleteKeysWithPrefix(env.queuePrefix);
});

/** Submits n predictions, 20 at a time. */
async function submitAll(n: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < n) await client.submitPrediction({ ...familyRequest, budget: 100 + next++ });
    }),
  );
}

async function metric(url: string, name: string): Promise<string | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').find((line) => line.startsWith(name));
}

it('stopped for 5 s under load (a crash), it fails no prediction: the worker pauses, then finishes the backlog', async () => {
  const n = 400;
  await submitAll(n);
  worker = await startWorker(env);
  const pool = own.database.pool;
  await waitUntil(
    'some predictions succeeded',
    async () => ((await statusCounts(pool)).succeeded ?? 0) >= 40,
  );

  await own.server.stop('immediate');
  const paused = await worker.waitForLog(
    (l) => l.message === 'dependency down: pausing the worker until it answers',
    10_000,
  );
  expect(paused.dependency).toBe('database');
  // Paused is not unhealthy: the outage is not the worker's fault.
  const health = (await (await fetch(`${worker.url}/healthz`)).json()) as {
    status: string;
    paused: { dependencies: { dependency: string }[] };
  };
  expect(health.status).toBe('ok');
  expect(health.paused.dependencies.map((d) => d.dependency)).toEqual(['database']);
  expect(await metric(worker.url, 'predictq_worker_paused{dependency="database"}')).toMatch(/ 1$/);
  await new Promise((r) => setTimeout(r, 5_000));
  await own.server.start();

  await worker.waitForLog(
    (l) => l.message === 'dependency answers again: resuming the worker',
    15_000,
  );
  await waitUntil(
    'every prediction ended',
    async () => {
      const counts = await statusCounts(pool);
      return (counts.succeeded ?? 0) + (counts.failed ?? 0) === n;
    },
    90_000,
  );
  await expectAllSucceeded(pool, n);
  expect(await metric(worker.url, 'predictq_worker_paused{dependency="database"}')).toMatch(/ 0$/);
  expect(worker.running).toBe(true);
}, 150_000);

it('hung (its processes frozen) for 4 s, it fails no prediction: timeouts end every wait', async () => {
  await worker?.stop();
  const pool = own.database.pool;
  const before = (await statusCounts(pool)).succeeded ?? 0;
  const n = 200;
  await submitAll(n);
  worker = await startWorker({
    ...env,
    DATABASE_STATEMENT_TIMEOUT_MS: '1000',
    DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
  });
  await waitUntil(
    'some predictions succeeded',
    async () => ((await statusCounts(pool)).succeeded ?? 0) >= before + 20,
  );
  await own.server.signal('SIGSTOP');
  try {
    await worker.waitForLog(
      (l) => l.message === 'dependency down: pausing the worker until it answers',
      10_000,
    );
    // The worker's own HTTP never hangs on the database.
    expect(
      (await fetch(`${worker.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 2_000));
  } finally {
    await own.server.signal('SIGCONT');
  }
  await waitUntil(
    'every prediction ended',
    async () => {
      const counts = await statusCounts(pool);
      return (counts.succeeded ?? 0) + (counts.failed ?? 0) === before + n;
    },
    90_000,
  );
  await expectAllSucceeded(pool, before + n);
}, 150_000);
