// The inference worker process: configuration, first-start seeding, the in-memory catalogue and
// models, the BullMQ worker, the refresh and recovery loops, health, graceful shutdown.
import type { AddressInfo } from 'node:net';

import { ensurePlatform } from '@predictq/bootstrap';
import { ConfigError } from '@predictq/config';
import { openMigratedDatabase, servingModels } from '@predictq/db';
import {
  databaseModelLoader,
  FeatureStore,
  InferencePipeline,
  type JobOutcome,
  MicroBatcher,
  ModelPool,
  Ranker,
} from '@predictq/inference';
import { ShutdownRegistry } from '@predictq/lifecycle';
import { createLogger, errorMessage, type Logger } from '@predictq/logging';
import { createMetricsRegistry, createWorkerMetrics, exposition } from '@predictq/metrics';
import { recoverUnfinished } from '@predictq/predictions';
import { createInferenceQueue, createRedis } from '@predictq/queue';

import { loadWorkerConfig } from './config';
import { startHealthServer } from './health-server';
import { createInferenceWorker } from './inference.worker';
import { createTrainingWorker } from './training.worker';

/** Runs `task` every `ms`, never overlapping itself; returns a stopper. */
function every(ms: number, logger: Logger, name: string, task: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((error: unknown) => logger.warn(`${name} failed`, { error: errorMessage(error) }))
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger({
    service: 'worker',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  const shutdown = new ShutdownRegistry({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.listen();

  const { database } = await openMigratedDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    applicationName: 'predictq-worker',
    // Every write of the worker is redone after a database crash (the sweep re-scores), so its
    // commits need not wait for the disk.
    synchronousCommit: false,
    onError: (error) => logger.warn('idle database connection failed', { error: error.message }),
  });
  const { db } = database;
  if (config.BOOTSTRAP) {
    await ensurePlatform({
      db,
      modelDir: config.MODEL_DIR,
      seed: config.SEED,
      logger: logger.child({ scope: 'bootstrap' }),
    });
  }

  const registry = createMetricsRegistry();
  const metrics = createWorkerMetrics(registry);
  metrics.concurrency.set(config.WORKER_CONCURRENCY);

  const store = new FeatureStore(db);
  await store.refresh();
  const pool = new ModelPool(databaseModelLoader(db), logger.child({ scope: 'models' }));
  const syncModels = async (): Promise<boolean> => {
    const serving = await servingModels(db);
    const changed = await pool.sync(serving);
    if (changed) {
      metrics.modelInfo.reset();
      metrics.modelTrafficShare.reset();
      for (const { id, version, share } of pool.assignment) {
        const role = serving.find((m) => m.id === id)?.status === 'active' ? 'active' : 'canary';
        metrics.modelInfo.set({ model_id: id, model_version: String(version), role }, 1);
        metrics.modelTrafficShare.set({ model_version: String(version) }, share);
      }
    }
    return changed;
  };
  await syncModels();
  logger.info('worker ready to score', { locations: store.size, models: pool.assignment });

  const ranker = new Ranker(store, pool, {
    topK: config.RESULTS_TOP_K,
    candidates: {
      maxPriceRatio: config.CANDIDATE_MAX_PRICE_RATIO,
      minCandidates: config.RESULTS_TOP_K,
    },
  });
  const pipeline = new InferencePipeline(db, ranker, ({ scoreMs, persistMs, size }) => {
    metrics.scoringDuration.observe(scoreMs / 1000);
    metrics.persistDuration.observe(persistMs / 1000);
    metrics.batchSize.observe(size);
  });
  const batcher = new MicroBatcher<string, JobOutcome>((ids) => pipeline.process(ids), {
    maxBatchSize: config.BATCH_MAX_SIZE,
    maxInFlight: config.BATCH_MAX_IN_FLIGHT,
  });

  const connection = createRedis(config.REDIS_URL, 'worker', { name: 'predictq-worker' });
  connection.on('error', (error) =>
    logger.warn('redis connection error', { error: error.message }),
  );
  const queue = createInferenceQueue(connection, config.QUEUE_PREFIX);
  queue.on('error', (error) => logger.warn('inference queue error', { error: error.message }));
  const worker = createInferenceWorker(
    { db, batcher, logger, metrics },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      lockDurationMs: config.JOB_LOCK_MS,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
    },
  );

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
            promoteMargin: config.PROMOTE_MARGIN,
            epochs: config.TRAINING_EPOCHS,
          },
        },
        { connection, prefix: config.QUEUE_PREFIX },
      )
    : undefined;

  const stopRefresh = every(config.REFRESH_INTERVAL_MS, logger, 'refresh', async () => {
    if (await store.refresh()) logger.info('catalogue reloaded', { locations: store.size });
    if (await syncModels()) {
      logger.info('models changed', { models: pool.assignment });
    }
  });
  const stopSweep = every(config.SWEEP_INTERVAL_MS, logger, 'recovery sweep', async () => {
    const result = await recoverUnfinished(
      {
        db,
        queue,
        logger,
        retry: { attempts: config.INFERENCE_ATTEMPTS, backoffMs: config.INFERENCE_BACKOFF_MS },
      },
      { olderThanMs: config.SWEEP_AFTER_MS, limit: 500 },
    );
    if (result.reenqueued + result.failed > 0) logger.warn('recovery sweep acted', { ...result });
  });

  const health = await startHealthServer({
    port: config.WORKER_METRICS_PORT,
    host: config.WORKER_METRICS_HOST,
    metrics: () => {
      metrics.jobsInFlight.set(batcher.pending);
      return exposition(registry);
    },
    health: () => ({
      ok: worker.isRunning() && pool.assignment.length > 0,
      models: pool.assignment,
      locations: store.size,
      inFlight: batcher.pending,
    }),
  });

  shutdown
    .add('loops', () => {
      stopRefresh();
      stopSweep();
    })
    // close() stops taking jobs and waits for the ones in hand to finish.
    .add('inference worker', () => worker.close())
    .add('training worker', () => trainer?.close())
    .add('batches', () => batcher.idle())
    .add('queue', () => queue.close())
    .add('redis', async () => {
      await connection.quit();
    })
    .add('models', () => pool.close())
    .add('health server', () => new Promise<void>((resolve) => health.close(() => resolve())))
    .add('database', () => database.close());

  for (const [name, running] of [
    ['inference', worker],
    ['training', trainer],
  ] as const) {
    running?.run().catch((error: unknown) => {
      logger.error(`${name} worker stopped`, { error: errorMessage(error) });
      void shutdown.shutdown('worker error');
    });
  }
  logger.info('inference worker started', {
    concurrency: config.WORKER_CONCURRENCY,
    metricsPort: (health.address() as AddressInfo).port,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `worker failed to start: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
