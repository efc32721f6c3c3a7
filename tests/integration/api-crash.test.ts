// The API killed between storing a prediction and enqueueing its job (a failpoint; never in
// production). The client got no answer, so nothing was promised; still nothing is lost: a retry
// with the same Idempotency-Key gets the prediction and heals the missing job, and without a
// retry the recovery sweep enqueues it.
import { NetworkError, PredictqClient } from '@predictq/client';

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

let database: TestDatabase;
let env: PlatformEnv;
const processes: PlatformProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ seeded: true });
  env = {
    databaseUrl: database.url,
    queuePrefix: testQueuePrefix(),
    BOOTSTRAP: 'false',
    SWEEP_INTERVAL_MS: '500',
    SWEEP_AFTER_MS: '2000',
  };
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await database?.drop();
  if (env) await deleteKeysWithPrefix(env.queuePrefix);
});

async function crashingSubmit(idempotencyKey?: string): Promise<void> {
  const api = await startApi({ ...env, PREDICTQ_FAILPOINTS: 'submit.after-insert=1' });
  processes.push(api);
  const client = new PredictqClient({ baseUrl: api.url });
  try {
    await expect(
      client.submitPrediction({ ...familyRequest }, idempotencyKey),
    ).rejects.toBeInstanceOf(NetworkError);
  } finally {
    await client.close();
  }
  expect((await api.exited).signal).toBe('SIGKILL');
}

it('a retry with the same Idempotency-Key is answered and the prediction is scored', async () => {
  await crashingSubmit('crash-key-1');
  expect(await statusCounts(database.pool)).toEqual({ queued: 1 });
  const api = await startApi(env);
  processes.push(api);
  const worker = await startWorker({ ...env, SWEEP_AFTER_MS: '600000' });
  processes.push(worker);
  const response = await fetch(`${api.url}/v1/predictions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'crash-key-1' },
    body: JSON.stringify(familyRequest),
  });
  expect(response.status).toBe(202);
  expect(response.headers.get('idempotent-replayed')).toBe('true');
  await waitUntil('it succeeded', async () => (await statusCounts(database.pool)).succeeded === 1);
  await worker.stop();
}, 60_000);

it('without a retry, the recovery sweep enqueues it and it is scored', async () => {
  await crashingSubmit();
  expect(await statusCounts(database.pool)).toEqual({ succeeded: 1, queued: 1 });
  const worker = await startWorker(env);
  processes.push(worker);
  await waitUntil('it succeeded', async () => (await statusCounts(database.pool)).succeeded === 2);
}, 60_000);
