// PostgreSQL restarts while a pooled connection is checked out (a transaction, an advisory lock,
// the batch feeder's pass between two statements). pg-pool listens for a client's errors only
// while it is idle, so the broken connection's 'error' event once had no listener: an uncaught
// exception that stopped an idle worker. Now the pool reports it and the process lives on.
import { createDatabase, type Database } from '@predictq/db';

import { waitUntil } from '../support/ledger';
import {
  type OwnPlatformDatabase,
  startOwnPlatformDatabase,
} from '../support/own-platform-database';
import { type PlatformProcess, startWorker } from '../support/processes';
import { deleteKeysWithPrefix, testQueuePrefix } from '../support/redis';

let own: OwnPlatformDatabase;
const queuePrefix = testQueuePrefix();
let worker: PlatformProcess | undefined;

beforeAll(async () => {
  own = await startOwnPlatformDatabase();
}, 120_000);

afterAll(async () => {
  await worker?.stop('SIGKILL');
  await own?.destroy();
  await deleteKeysWithPrefix(queuePrefix);
}, 60_000);

it('a checked-out connection that breaks is reported, not thrown, and the pool recovers', async () => {
  const errors: Error[] = [];
  const database: Database = createDatabase({
    url: own.url,
    poolSize: 2,
    onError: (e) => errors.push(e),
  });
  try {
    const held = await database.pool.connect();
    await held.query('SELECT 1');
    await own.server.stop('immediate');
    await waitUntil('the broken connection reported', async () => errors.length > 0, 15_000);
    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release(true);

    await own.server.start();
    await waitUntil(
      'the pool answers again',
      async () => (await database.pool.query('SELECT 1').catch(() => null)) !== null,
      30_000,
    );
  } finally {
    await database.close().catch(() => undefined);
  }
}, 90_000);

it('an idle worker outlives a PostgreSQL restart (its loops hold connections)', async () => {
  worker = await startWorker({
    databaseUrl: own.url,
    queuePrefix,
    BOOTSTRAP: 'false',
    DEPENDENCY_PROBE_INTERVAL_MS: '200',
    DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
    // Every loop that checks out a connection runs often.
    BATCH_FEED_INTERVAL_MS: '100',
    WEBHOOK_DISPATCH_INTERVAL_MS: '100',
    SWEEP_INTERVAL_MS: '200',
    SWEEP_AFTER_MS: '1',
  });
  for (let round = 0; round < 3; round++) {
    await new Promise((r) => setTimeout(r, 1_000));
    await own.server.stop('immediate');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(worker.running).toBe(true);
    await own.server.start();
  }
  await waitUntil(
    'the worker healthy after the restarts',
    async () => (await fetch(`${worker!.url}/healthz`)).status === 200,
    30_000,
  );
  expect(worker.running).toBe(true);
  expect(worker.logs.filter((l) => String(l.message).startsWith('uncaught'))).toEqual([]);
}, 120_000);
