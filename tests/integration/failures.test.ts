// Failures end in a terminal state with the reason: a retryable scoring failure after its
// retries, a permanent one at once.
import { createHash, randomUUID } from 'node:crypto';

import { activateModel, createPrediction, getActiveModel, registerModel } from '@predictq/db';
import { enrichRequest } from '@predictq/domain';
import { createInferenceQueue, createRedis, enqueuePrediction } from '@predictq/queue';

import { familyRequest } from '../fixtures/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { REDIS_URL } from '../support/env';
import {
  type PlatformEnv,
  type PlatformProcess,
  startApi,
  startWorker,
} from '../support/processes';
import { deleteKeysWithPrefix, testQueuePrefix } from '../support/redis';

let database: TestDatabase;
let env: PlatformEnv;
let api: PlatformProcess;
let worker: PlatformProcess;

interface Ended {
  status: string;
  error: string | null;
  attempts: number;
}

async function waitForEnd(id: string): Promise<Ended> {
  for (;;) {
    const { rows } = await database.pool.query<Ended>(
      'select status, error, attempts from predictions where id = $1',
      [id],
    );
    if (rows[0] && ['succeeded', 'failed'].includes(rows[0].status)) return rows[0];
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  database = await createTestDatabase({ seeded: true });
  // The active model's file is corrupt: onnxruntime cannot load it, so nothing can be scored.
  const baseline = await getActiveModel(database.db);
  const corrupt = Buffer.from('not an onnx model');
  const sha256 = createHash('sha256').update(corrupt).digest('hex');
  const broken = await registerModel(database.db, {
    name: 'broken',
    sha256,
    artifactPath: 'broken/model.onnx',
    onnx: corrupt,
    manifest: { ...(baseline!.manifest as object), name: 'broken', sha256 },
  });
  await activateModel(database.db, broken.id);
  env = {
    databaseUrl: database.url,
    queuePrefix: testQueuePrefix(),
    INFERENCE_ATTEMPTS: '2',
    INFERENCE_BACKOFF_MS: '50',
    BOOTSTRAP: 'false',
  };
  [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  await database?.drop();
  await deleteKeysWithPrefix(env.queuePrefix);
});

describe('when scoring fails', () => {
  it('retries, then ends the prediction failed with the reason', async () => {
    const accepted = (await (
      await fetch(`${api.url}/v1/predictions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(familyRequest),
      })
    ).json()) as { id: string };
    const ended = await waitForEnd(accepted.id);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatch(/no model is loaded to score with/);
    expect(ended.attempts).toBe(2);
    const body = (await (await fetch(`${api.url}/v1/predictions/${accepted.id}`)).json()) as {
      status: string;
      error: string;
      output: unknown;
    };
    expect(body).toMatchObject({ status: 'failed', output: null });
    expect(body.error).toMatch(/no model is loaded/);
    // The compatible status route answers 500 for a failed task, as the original did.
    expect((await fetch(`${api.url}/inference/status/${accepted.id}`)).status).toBe(500);
    await worker.waitForLog((l) => l.message === 'model failed to load');
  });

  it('fails a prediction whose stored request is invalid at once, without retrying', async () => {
    const id = randomUUID();
    const bad = enrichRequest({ ...familyRequest, people_age: [30] });
    await createPrediction(database.db, { id, request: bad });
    const redis = createRedis(REDIS_URL, 'producer');
    const queue = createInferenceQueue(redis, env.queuePrefix);
    try {
      await enqueuePrediction(queue, id, { attempts: 3, backoffMs: 50 });
    } finally {
      await queue.close();
      redis.disconnect();
    }
    const ended = await waitForEnd(id);
    expect(ended).toEqual({
      status: 'failed',
      error: 'stored request is invalid (people_age)',
      attempts: 1,
    });
  });
});
