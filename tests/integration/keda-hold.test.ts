// No scaling into an outage, on a live Prometheus: the worker's ScaledObject queries, exactly as
// rendered, while PostgreSQL (a server of the test's own) is stopped and a backlog waits. The
// worker pauses (predictq_worker_paused{dependency="database"} 1), and the backlog query answers
// replicas x target instead of the backlog, the oldest-wait query its own target: KEDA keeps the
// current replica count. Once PostgreSQL is back the queries follow the queue again, down to 0.
import { randomUUID } from 'node:crypto';

import { createInferenceQueue, createRedis } from '@predictq/queue';

import { LocalPrometheus, prometheusInstalled, targetOf } from '../../scripts/lib/ops/prometheus';
import { REDIS_URL } from '../support/env';
import { kedaTriggers, renderOverlay } from '../support/kubernetes';
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

const triggers = kedaTriggers(renderOverlay('production'));
const backlog = triggers.find((t) => t.scaledObject === 'predictq-worker' && t.name === 'backlog')!;
const oldestWait = triggers.find(
  (t) => t.scaledObject === 'predictq-worker' && t.name === 'oldest-wait',
)!;

let own: OwnPlatformDatabase;
let env: PlatformEnv;
let api: PlatformProcess;
let worker: PlatformProcess;
let prometheus: LocalPrometheus;

async function valueOf(query: string): Promise<number | undefined> {
  const samples = await prometheus.query(query);
  if (samples.length > 1) throw new Error(`${query} returned ${samples.length} series`);
  return samples[0] === undefined ? undefined : Number(samples[0].value[1]);
}

beforeAll(async () => {
  if (!prometheusInstalled()) throw new Error("Debian's prometheus package is not installed");
  own = await startOwnPlatformDatabase();
  env = {
    databaseUrl: own.url,
    queuePrefix: testQueuePrefix(),
    BOOTSTRAP: 'false',
    WORKER_CONCURRENCY: '4',
    OUTAGE_RETRY_DELAY_MS: '300',
    DEPENDENCY_PROBE_INTERVAL_MS: '200',
    DATABASE_ACQUIRE_TIMEOUT_MS: '1000',
  };
  [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
  prometheus = await LocalPrometheus.start({
    api: [targetOf(api.url)],
    worker: [targetOf(worker.url)],
  });
  await prometheus.allTargetsUp(3, 60_000);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all([api?.stop(), worker?.stop('SIGKILL')]);
  await own?.destroy();
  if (env) await deleteKeysWithPrefix(env.queuePrefix);
}, 60_000);

it('holds the replica count while the workers are paused by a database outage', async () => {
  await prometheus.until('an idle backlog', async () => (await valueOf(backlog.query)) === 0);

  await own.server.stop('immediate');
  // A backlog queued during the outage (the jobs of predictions the queue holds; their rows
  // do not matter: the worker cannot read any).
  const redis = createRedis(REDIS_URL, 'producer');
  const queue = createInferenceQueue(redis, env.queuePrefix);
  const queued = 300;
  try {
    await queue.addBulk(
      Array.from({ length: queued }, () => ({
        name: 'score-prediction' as const,
        data: { predictionId: randomUUID() },
        opts: { attempts: 1 },
      })),
    );
    await worker.waitForLog(
      (l) => l.message === 'dependency down: pausing the worker until it answers',
      30_000,
    );
    // Paused: one worker reports it, so the backlog query answers 1 x target (one replica, the
    // current count) although 300 jobs wait (which would be 3 replicas), and the oldest wait
    // answers its target (a ratio of 1).
    await prometheus.until(
      'the backlog query holding at one replica',
      async () => (await valueOf(backlog.query)) === backlog.threshold,
      30_000,
    );
    expect(await valueOf('max(predictq_worker_paused)')).toBe(1);
    expect(Math.ceil(queued / backlog.threshold)).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await valueOf(backlog.query)).toBe(backlog.threshold);
    expect(await valueOf(oldestWait.query)).toBe(oldestWait.threshold);

    await own.server.start();
    await worker.waitForLog(
      (l) => l.message === 'dependency answers again: resuming the worker',
      30_000,
    );
    // Back: the queries follow the queue again, and the jobs of unknown predictions end at once.
    await prometheus.until(
      'the backlog query at 0',
      async () => (await valueOf(backlog.query)) === 0,
      120_000,
    );
    expect(await valueOf('max(predictq_worker_paused)')).toBe(0);
  } finally {
    await queue.close();
    await redis.quit();
  }
}, 240_000);
