// The BullMQ workers of both queues, the gate that pauses them while PostgreSQL is down, and the
// pauses they share.
import type { Db } from '@predictq/db';
import type { JobOutcome, MicroBatcher } from '@predictq/inference';
import type { Logger } from '@predictq/logging';
import type { WorkerMetrics } from '@predictq/metrics';
import { sql } from 'drizzle-orm';

import { afterTraining } from './after-training';
import type { WorkerConfig } from './config';
import { DependencyGate } from './dependency-gate';
import { createInferenceWorker } from './inference.worker';
import { createTrainingWorker } from './training.worker';
import { WorkerPauses } from './worker-pauses';
import type { RedisConnection } from '@predictq/queue';

export function createWorkers(
  config: WorkerConfig,
  deps: {
    db: Db;
    batcher: MicroBatcher<string, JobOutcome>;
    logger: Logger;
    metrics: WorkerMetrics;
    connection: RedisConnection;
  },
) {
  const { db, logger, metrics, connection } = deps;
  const pauses = new WorkerPauses(logger);
  const gate = new DependencyGate({
    probe: { database: () => db.execute(sql`select 1`) },
    onChange: async (dependency, down) => {
      metrics.paused.set({ dependency }, down ? 1 : 0);
      await (down ? pauses.hold(dependency) : pauses.release(dependency));
    },
    logger: logger.child({ scope: 'gate' }),
    probeIntervalMs: config.DEPENDENCY_PROBE_INTERVAL_MS,
  });
  const worker = createInferenceWorker(
    { db, batcher: deps.batcher, gate, pauses, logger, metrics },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDurationMs: config.JOB_LOCK_MS,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
      maxStalledCount: config.STALLED_MAX_COUNT,
      poisonMaxCrashes: config.POISON_MAX_CRASHES,
      outageDelayMs: config.OUTAGE_RETRY_DELAY_MS,
    },
  );
  pauses.add(worker);
  const trainer = config.TRAINING_ENABLED
    ? createTrainingWorker(
        {
          db,
          modelDir: config.MODEL_DIR,
          logger: logger.child({ scope: 'training' }),
          defaults: {
            seed: config.SEED,
            maxRows: config.TRAINING_MAX_ROWS,
            minRows: config.TRAINING_MIN_ROWS,
            holdoutFraction: config.TRAINING_HOLDOUT_FRACTION,
            epochs: config.TRAINING_EPOCHS,
            recencyHalfLifeHours: config.TRAINING_RECENCY_HALF_LIFE_HOURS,
            promotion: {
              minSegmentPredictions: config.PROMOTE_MIN_SEGMENT_PREDICTIONS,
              minGain: config.PROMOTE_MIN_GAIN,
              minReplaced: config.PROMOTE_MIN_REPLACED,
              maxHarm: config.PROMOTE_MAX_HARM,
              failingAcceptance: config.PROMOTE_FAILING_ACCEPTANCE,
              failingNoneError: config.PROMOTE_FAILING_NONE_ERROR,
            },
          },
          // As the ranker serves (main.ts), so held-out requests are re-ranked the same way.
          serving: {
            topK: config.RESULTS_TOP_K,
            candidates: {
              maxPriceRatio: config.CANDIDATE_MAX_PRICE_RATIO,
              minCandidates: config.RESULTS_TOP_K,
            },
          },
        },
        {
          connection,
          prefix: config.QUEUE_PREFIX,
          outageDelayMs: config.OUTAGE_RETRY_DELAY_MS,
          maxStalledCount: config.STALLED_MAX_COUNT,
          afterTraining: afterTraining({ db, logger: logger.child({ scope: 'rollout' }) }),
        },
      )
    : undefined;
  if (trainer) pauses.add(trainer);
  return { worker, trainer, gate, pauses };
}
