// A running platform for a test file: its own database (seeded like a first start), its own
// Redis prefix, a real API and a real worker. stop() ends the processes and removes what the
// test created.
import { PredictqClient } from '@predictq/client';

import { createTestDatabase, type TestDatabase } from './database';
import { type PlatformEnv, type PlatformProcess, startApi, startWorker } from './processes';
import { deleteKeysWithPrefix, testQueuePrefix } from './redis';

export interface TestPlatform {
  database: TestDatabase;
  env: PlatformEnv;
  api: PlatformProcess;
  worker: PlatformProcess | undefined;
  client: PredictqClient;
  stop(): Promise<void>;
}

export async function startPlatform(
  options: { seeded?: boolean; worker?: boolean; env?: Record<string, string> } = {},
): Promise<TestPlatform> {
  const database = await createTestDatabase({ seeded: options.seeded ?? true });
  const env: PlatformEnv = {
    databaseUrl: database.url,
    queuePrefix: testQueuePrefix(),
    ...options.env,
  };
  const [apiStart, workerStart] = await Promise.allSettled([
    startApi(env),
    options.worker === false ? Promise.resolve(undefined) : startWorker(env),
  ]);
  if (apiStart.status === 'rejected' || workerStart.status === 'rejected') {
    // The one that started is stopped, so that a failed start leaves no process keeping jest up.
    if (apiStart.status === 'fulfilled') await apiStart.value.stop();
    if (workerStart.status === 'fulfilled') await workerStart.value?.stop();
    await database.drop();
    throw apiStart.status === 'rejected'
      ? apiStart.reason
      : (workerStart as PromiseRejectedResult).reason;
  }
  const api = apiStart.value;
  const worker = workerStart.value;
  const client = new PredictqClient({ baseUrl: api.url, validateResponses: true });
  return {
    database,
    env,
    api,
    worker,
    client,
    stop: async () => {
      await client.close();
      await Promise.all([api.stop(), worker?.stop()]);
      await database.drop();
      await deleteKeysWithPrefix(env.queuePrefix);
    },
  };
}
