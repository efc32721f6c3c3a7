// The ScaledObjects' exact Prometheus queries, as `kubectl kustomize` renders them, evaluated by a
// real Prometheus (Debian's package) scraping a live API: with no worker consuming, a backlog in
// every state a job can wait in (waiting, prioritized, delayed, and one held active) is what the
// worker's backlog query returns, and KEDA's replica count follows from it; the oldest-wait query
// rises past its threshold while nothing is taken; the training query counts the training job;
// once a real worker has drained the queue (scraped too: its pause gauge at 0), both answer 0.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';

import {
  createInferenceQueue,
  createRedis,
  createTrainingQueue,
  QUEUES,
  queuePrefix,
} from '@predictq/queue';
import { Worker } from 'bullmq';

import { LocalPrometheus, prometheusInstalled, targetOf } from '../../scripts/lib/ops/prometheus';
import { familyRequest } from '../fixtures/domain';
import { REDIS_URL } from '../support/env';
import { call, eventually } from '../support/http';
import { kedaTriggers, type KedaTrigger, renderOverlay } from '../support/kubernetes';
import { startPlatform, type TestPlatform } from '../support/platform';
import { type PlatformProcess, startWorker } from '../support/processes';

const objects = renderOverlay('production');
const triggers = kedaTriggers(objects);
const trigger = (scaledObject: string, name: string): KedaTrigger => {
  const found = triggers.find((t) => t.scaledObject === scaledObject && t.name === name);
  if (!found) throw new Error(`no trigger ${name} on ${scaledObject}`);
  return found;
};
const workerScaling = objects.find(
  (o) => o.kind === 'ScaledObject' && o.metadata.name === 'predictq-worker',
)!.spec as { minReplicaCount: number; maxReplicaCount: number };
const backlog = trigger('predictq-worker', 'backlog');
const oldestWait = trigger('predictq-worker', 'oldest-wait');
const trainingBacklog = trigger('predictq-training', 'training-backlog');

/** KEDA's replica count for an AverageValue trigger: ceil(value / target), within the bounds. */
const replicasFor = (value: number, target: number) =>
  Math.min(
    workerScaling.maxReplicaCount,
    Math.max(workerScaling.minReplicaCount, Math.ceil(value / target)),
  );

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let platform: TestPlatform;
let prometheus: LocalPrometheus;
let worker: PlatformProcess | undefined;
let workerPort: number;

/** The query's single value, or undefined while it returns nothing. */
async function valueOf(query: string): Promise<number | undefined> {
  const samples = await prometheus.query(query);
  if (samples.length > 1) throw new Error(`${query} returned ${samples.length} series`);
  return samples[0] === undefined ? undefined : Number(samples[0].value[1]);
}

beforeAll(async () => {
  if (!prometheusInstalled()) throw new Error("Debian's prometheus package is not installed");
  platform = await startPlatform({ worker: false });
  // The worker starts later (to drain) on this port, which Prometheus scrapes from the start.
  workerPort = await freePort();
  prometheus = await LocalPrometheus.start({
    api: [targetOf(platform.api.url)],
    worker: [`127.0.0.1:${workerPort}`],
  });
  await prometheus.until('scraping the API', async () =>
    (await prometheus.targets()).some((t) => t.job === 'api' && t.health === 'up'),
  );
}, 90_000);

afterAll(async () => {
  await worker?.stop();
  await prometheus?.stop();
  await platform?.stop();
}, 60_000);

describe("the ScaledObjects' queries on a live Prometheus", () => {
  it('count every job still to run, and 0 once a worker drained them', async () => {
    const redis = createRedis(REDIS_URL, 'producer');
    const holderRedis = createRedis(REDIS_URL, 'worker');
    const queue = createInferenceQueue(redis, platform.env.queuePrefix);
    const training = createTrainingQueue(redis, platform.env.queuePrefix);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holder: Worker | undefined;
    try {
      // Nothing consumes yet: the query answers 0 (not nothing, which KEDA would read as 0 too).
      await prometheus.until('an empty backlog', async () => (await valueOf(backlog.query)) === 0);

      // Waiting: predictions submitted through the API.
      const submitted = 140;
      for (let i = 0; i < submitted; i++) {
        const answer = await call(platform.api.url, 'POST', '/v1/predictions', {
          body: familyRequest,
        });
        expect(answer.status).toBe(202);
      }
      // Prioritized and delayed: jobs as the batches and the retries queue them (one attempt).
      const prioritized = 6;
      const delayed = 4;
      for (let i = 0; i < prioritized; i++) {
        await queue.add(
          'score-prediction',
          { predictionId: randomUUID() },
          {
            priority: 10,
            attempts: 1,
          },
        );
      }
      for (let i = 0; i < delayed; i++) {
        await queue.add(
          'score-prediction',
          { predictionId: randomUUID() },
          {
            delay: 3_600_000,
            attempts: 1,
          },
        );
      }
      // Active: one job held by a worker of the test's own.
      holder = new Worker(QUEUES.inference, () => held, {
        connection: holderRedis,
        prefix: queuePrefix(platform.env.queuePrefix, QUEUES.inference),
        concurrency: 1,
      });
      await eventually('one job is active', async () =>
        (await queue.getJobCounts('active')).active === 1 ? true : undefined,
      );
      const total = submitted + prioritized + delayed;
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      expect(counts.waiting! + counts.prioritized! + counts.delayed! + counts.active!).toBe(total);
      expect(counts).toMatchObject({ delayed, active: 1 });

      await prometheus.until(
        `the backlog query at ${total}`,
        async () => (await valueOf(backlog.query)) === total,
        30_000,
      );
      // Per replica: AverageValue over the threshold of the manifest.
      expect(replicasFor(total, backlog.threshold)).toBe(Math.ceil(total / backlog.threshold));
      expect(replicasFor(total, backlog.threshold)).toBeGreaterThan(1);
      // Nothing is taken: the oldest waiting job ages past the threshold (KEDA scales on it too).
      await prometheus.until(
        'the oldest wait past its threshold',
        async () => ((await valueOf(oldestWait.query)) ?? 0) > oldestWait.threshold,
        30_000,
      );

      // Training: its own ScaledObject sees the one training job (one replica), then none.
      const run = await training.add('train-model', { trainingRunId: randomUUID() });
      await prometheus.until(
        'the training query at 1',
        async () => (await valueOf(trainingBacklog.query)) === 1,
        30_000,
      );
      await run.remove();
      await prometheus.until(
        'the training query at 0',
        async () => (await valueOf(trainingBacklog.query)) === 0,
        30_000,
      );

      // Drain: release the held job, bring the delayed ones forward, start a real worker (the
      // jobs of unknown predictions fail at once, the others succeed: none is still to run).
      release();
      await holder.close();
      holder = undefined;
      await queue.promoteJobs();
      worker = await startWorker({ ...platform.env, WORKER_METRICS_PORT: String(workerPort) });
      await prometheus.until(
        'the worker scraped, not paused',
        async () => (await valueOf('max(predictq_worker_paused)')) === 0,
        60_000,
      );
      await prometheus.until(
        'the backlog query at 0',
        async () => (await valueOf(backlog.query)) === 0,
        180_000,
      );
      expect(replicasFor(0, backlog.threshold)).toBe(workerScaling.minReplicaCount);
      await prometheus.until(
        'the oldest wait query at 0',
        async () => ((await valueOf(oldestWait.query)) ?? 0) === 0,
        30_000,
      );
    } finally {
      release();
      await holder?.close();
      await queue.close();
      await training.close();
      await redis.quit();
      await holderRedis.quit();
    }
  }, 360_000);
});
