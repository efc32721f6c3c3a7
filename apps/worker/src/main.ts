// The worker process: configuration, first-start seeding, the in-memory catalogue and models,
// the BullMQ workers (inference, and training unless TRAINING_ENABLED is false), the dependency
// gate, the refresh and recovery loops, /healthz and /metrics, and graceful shutdown.
import type { AddressInfo } from 'node:net';

import { ensurePlatform } from '@predictq/bootstrap';
import { ConfigError } from '@predictq/config';
import { openMigratedDatabase } from '@predictq/db';
import { DriftBaselines, measureDrift, RetrainPolicyRunner } from '@predictq/drift';
import {
  InferencePipeline,
  type JobOutcome,
  MicroBatcher,
  type RankRequest,
  Ranker,
} from '@predictq/inference';
import {
  crashNow,
  Failpoints,
  installCrashHandlers,
  limitHeapGrowth,
  ShutdownRegistry,
} from '@predictq/lifecycle';
import { createLogger, errorMessage, type Logger } from '@predictq/logging';
import { cancelOverduePredictions } from '@predictq/predictions';
import { feedBatches } from '@predictq/batches';
import { createMetricsRegistry, createWorkerMetrics, exposition } from '@predictq/metrics';
import {
  createInferenceQueue,
  createRedis,
  createTrainingQueue,
  createWebhookQueue,
  enqueueTraining,
  QUEUES,
  queuePrefix,
  RedisEpoch,
} from '@predictq/queue';
import { retrainRolloutPolicy } from '@predictq/rollout';
import { targetPolicy } from '@predictq/webhooks';

import { loadWorkerConfig } from './config';
import { rolloutDecider } from './rollout-loop';
import { startHealthServer } from './health-server';
import { RecoveryLoop } from './recovery-loop';
import { ServingState } from './serving-state';
import { dispatchDeliveries } from './webhook-dispatcher';
import { createWebhookWorker } from './webhook.worker';
import { createWorkers } from './workers';

/**
 * The fault tests' poison predictions: scoring a request with one budget kills the process
 * (score.crash-on-budget), with another hangs its batch (score.hang-on-budget).
 */
function poisonFailpoints(failpoints: Failpoints) {
  const crash = failpoints.value('score.crash-on-budget');
  const hang = failpoints.value('score.hang-on-budget');
  if (crash === undefined && hang === undefined) return undefined;
  const has = (requests: readonly RankRequest[], budget: string | undefined) =>
    budget !== undefined && requests.some((r) => r.request.budget === Number(budget));
  return async (requests: readonly RankRequest[]) => {
    if (has(requests, crash)) crashNow();
    if (has(requests, hang)) await new Promise(() => undefined);
  };
}

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  limitHeapGrowth(config.HEAP_GROWING_PERCENT);
  const logger = createLogger({
    service: 'worker',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  const shutdown = new ShutdownRegistry({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.listen();
  installCrashHandlers({ logger, shutdown });
  const failpoints = Failpoints.fromEnv();

  const { database } = await openMigratedDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    applicationName: 'predictq-worker',
    migrate: config.MIGRATE_ON_START,
    onWaitingForMigrations: (pending) =>
      logger.info('waiting for the migration job', { pendingMigrations: pending }),
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
  metrics.paused.set({ dependency: 'database' }, 0);
  // Every series exists from the start, so that dashboards and alerts see zeros, not gaps.
  for (const cause of ['database', 'redis', 'stuck']) {
    metrics.outageDeferrals.inc({ queue: QUEUES.inference, cause }, 0);
  }
  for (const kind of ['prediction', 'training']) {
    for (const action of ['reenqueued', 'failed']) metrics.recovered.inc({ kind, action }, 0);
  }
  for (const trigger of ['interval', 'redis_reset']) metrics.sweepDuration.zero({ trigger });
  for (const decision of ['promote', 'rollback', 'complete']) {
    metrics.rolloutDecisions.inc({ decision }, 0);
  }
  for (const outcome of ['stored', 'failed']) metrics.shadowScored.inc({ outcome }, 0);
  for (const trigger of ['drift', 'feedback']) metrics.retrainTriggers.inc({ trigger }, 0);

  const serving = new ServingState(db, metrics, logger.child({ scope: 'models' }));
  await serving.load();
  logger.info('worker ready to score', serving.describe());

  const ranker = new Ranker(serving.catalogue, serving.pool, {
    topK: config.RESULTS_TOP_K,
    candidates: {
      maxPriceRatio: config.CANDIDATE_MAX_PRICE_RATIO,
      minCandidates: config.RESULTS_TOP_K,
    },
  });
  const pipeline = new InferencePipeline(db, ranker, {
    onTimings: ({ scoreMs, persistMs, size }) => {
      metrics.scoringDuration.observe(scoreMs / 1000);
      metrics.persistDuration.observe(persistMs / 1000);
      metrics.batchSize.observe(size);
    },
    beforeRank: poisonFailpoints(failpoints),
    onShadow: ({ scored, error }) => {
      if (error === undefined) metrics.shadowScored.inc({ outcome: 'stored' }, scored);
      else {
        metrics.shadowScored.inc({ outcome: 'failed' });
        logger.warn('shadow scoring failed (nothing served changes)', {
          error: errorMessage(error),
        });
      }
    },
  });
  const batcher = new MicroBatcher<string, JobOutcome>((ids) => pipeline.process(ids), {
    maxBatchSize: config.BATCH_MAX_SIZE,
    maxInFlight: config.BATCH_MAX_IN_FLIGHT,
    deadlineMs: config.BATCH_DEADLINE_MS,
  });

  // The BullMQ workers' connection waits out outages; it has no command timeout because BullMQ
  // duplicates it for its blocking fetch. The sweep's connection fails fast instead.
  const connection = createRedis(config.REDIS_URL, 'worker', {
    name: 'predictq-worker',
    cluster: config.REDIS_CLUSTER,
  });
  connection.on('error', (error: Error) =>
    logger.warn('redis connection error', { error: error.message }),
  );
  const sweepRedis = createRedis(config.REDIS_URL, 'producer', {
    name: 'predictq-worker-sweep',
    cluster: config.REDIS_CLUSTER,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  sweepRedis.on('error', () => undefined); // the worker connection already logs the outage
  const queue = createInferenceQueue(sweepRedis, config.QUEUE_PREFIX);
  queue.on('error', (error) => logger.debug('inference queue error', { error: error.message }));
  const trainingQueue = createTrainingQueue(sweepRedis, config.QUEUE_PREFIX);
  trainingQueue.on('error', (error) =>
    logger.debug('training queue error', { error: error.message }),
  );

  const webhookQueue = createWebhookQueue(sweepRedis, config.QUEUE_PREFIX);
  webhookQueue.on('error', (error) =>
    logger.debug('webhook queue error', { error: error.message }),
  );

  const workers = createWorkers(config, { db, batcher, logger, metrics, connection });
  const { worker, trainer, gate, pauses } = workers;
  const webhookWorker = createWebhookWorker(
    { db, logger: logger.child({ scope: 'webhooks' }), metrics },
    {
      connection,
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WEBHOOK_CONCURRENCY,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      lockDurationMs: config.JOB_LOCK_MS,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
      maxStalledCount: config.STALLED_MAX_COUNT,
      maxPayloadBytes: config.WEBHOOK_MAX_PAYLOAD_BYTES,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      secret: config.WEBHOOK_SECRET,
      policy: targetPolicy(config.WEBHOOK_ALLOWED_HOSTS, config.WEBHOOK_ALLOW_HTTP),
    },
  );
  pauses.add(webhookWorker);
  for (const outcome of ['delivered', 'retried', 'dead'])
    metrics.webhookAttempts.inc({ outcome }, 0);

  const stopRefresh = every(config.REFRESH_INTERVAL_MS, logger, 'refresh', () => serving.refresh());
  const predictionDeps = {
    db,
    queue,
    logger: logger.child({ scope: 'deadlines' }),
    retry: { attempts: config.INFERENCE_ATTEMPTS, backoffMs: config.INFERENCE_BACKOFF_MS },
  };
  const stopDeadlines = every(config.DEADLINE_INTERVAL_MS, logger, 'deadlines', async () => {
    const canceled = await cancelOverduePredictions(predictionDeps);
    if (canceled > 0) metrics.deadlineCanceled.inc(canceled);
  });
  const webhookRetry = {
    attempts: config.WEBHOOK_MAX_ATTEMPTS,
    backoffMs: config.WEBHOOK_BACKOFF_MS,
  };
  const stopDispatch = every(config.WEBHOOK_DISPATCH_INTERVAL_MS, logger, 'webhook dispatch', () =>
    dispatchDeliveries(db, webhookQueue, webhookRetry),
  );
  const recovery = new RecoveryLoop(
    {
      db,
      queue,
      trainingQueue: config.TRAINING_ENABLED ? trainingQueue : undefined,
      epoch: new RedisEpoch(
        sweepRedis,
        `${queuePrefix(config.QUEUE_PREFIX, QUEUES.inference)}:epoch`,
      ),
      logger: logger.child({ scope: 'recovery' }),
      metrics,
      retry: { attempts: config.INFERENCE_ATTEMPTS, backoffMs: config.INFERENCE_BACKOFF_MS },
    },
    {
      intervalMs: config.SWEEP_INTERVAL_MS,
      afterMs: config.SWEEP_AFTER_MS,
      pageSize: config.SWEEP_PAGE_SIZE,
      epochCheckMs: 1_000,
    },
  );
  recovery.start();
  const decider = rolloutDecider({
    db,
    metrics,
    logger: logger.child({ scope: 'rollout' }),
    intervalMs: config.ROLLOUT_DECISION_INTERVAL_MS,
  });
  decider.start();

  // The retraining policy (off by default): one worker at a time decides, under an advisory lock.
  let stopPolicy = () => undefined as void;
  if (config.RETRAIN_POLICY_ENABLED) {
    const baselines = new DriftBaselines(db, logger.child({ scope: 'drift' }));
    const policy = new RetrainPolicyRunner(
      {
        db,
        drift: () =>
          measureDrift(
            { db, baselines },
            {
              windowMinutes: config.DRIFT_WINDOW_MINUTES,
              maxRequests: config.DRIFT_WINDOW_MAX_REQUESTS,
              minRequests: config.DRIFT_MIN_REQUESTS,
              threshold: config.DRIFT_PSI_THRESHOLD,
            },
          ),
        enqueue: (id) => enqueueTraining(trainingQueue, id),
        logger: logger.child({ scope: 'retrain-policy' }),
        onTrigger: (trigger) => metrics.retrainTriggers.inc({ trigger }),
      },
      {
        minNewFeedback: config.RETRAIN_MIN_NEW_FEEDBACK,
        driftMinNewFeedback: config.RETRAIN_DRIFT_MIN_NEW_FEEDBACK,
        cooldownMs: config.RETRAIN_COOLDOWN_MINUTES * 60_000,
        rollout: retrainRolloutPolicy(config.RETRAIN_ROLLOUT, config.RETRAIN_ROLLOUT_POLICY),
      },
    );
    stopPolicy = every(config.RETRAIN_POLICY_INTERVAL_MS, logger, 'retraining policy', () =>
      policy.tick(),
    );
    logger.info('retraining policy enabled', {
      intervalMs: config.RETRAIN_POLICY_INTERVAL_MS,
      minNewFeedback: config.RETRAIN_MIN_NEW_FEEDBACK,
      driftMinNewFeedback: config.RETRAIN_DRIFT_MIN_NEW_FEEDBACK,
      driftPsiThreshold: config.DRIFT_PSI_THRESHOLD,
      cooldownMinutes: config.RETRAIN_COOLDOWN_MINUTES,
      rollout: config.RETRAIN_ROLLOUT,
    });
  }

  // The batch feeder: every BATCH_FEED_INTERVAL_MS, tops up each running batch's window in the
  // queue from PostgreSQL; every BATCH_WINDOW_CHECK_MS it also checks the windows' jobs.
  const feederLogger = logger.child({ scope: 'batches' });
  let lastWindowCheck = 0;
  const stopFeeder = every(
    config.BATCH_FEED_INTERVAL_MS,
    feederLogger,
    'batch feeder',
    async () => {
      if (gate.down.length > 0) return;
      const checkWindows = Date.now() - lastWindowCheck >= config.BATCH_WINDOW_CHECK_MS;
      if (checkWindows) lastWindowCheck = Date.now();
      const fed = await feedBatches(
        {
          db,
          queue,
          retry: { attempts: config.INFERENCE_ATTEMPTS, backoffMs: config.INFERENCE_BACKOFF_MS },
          logger: feederLogger,
        },
        { maxBatches: config.BATCH_FEED_MAX_BATCHES, checkWindows },
      );
      metrics.batchesRunning.set(fed.batches - fed.completed);
      metrics.batchRowsInFlight.set(fed.inFlight);
      metrics.batchRowsFed.inc(fed.fed + fed.recovered);
    },
  );

  const health = await startHealthServer({
    port: config.WORKER_METRICS_PORT,
    host: config.WORKER_METRICS_HOST,
    metrics: () => {
      metrics.jobsInFlight.set(batcher.pending);
      return exposition(registry);
    },
    health: () => {
      const stuckMs = batcher.stalledForMs;
      const problems = [
        // A paused BullMQ worker ends its loop (isRunning is false) until it resumes.
        ...(worker.isRunning() || worker.isPaused() ? [] : ['the inference worker is not running']),
        ...(serving.pool.assignment.length > 0 ? [] : ['no model is loaded']),
        ...(stuckMs > 2 * config.BATCH_DEADLINE_MS
          ? [`a micro-batch has been running for ${Math.round(stuckMs)} ms`]
          : []),
      ];
      return {
        ok: problems.length === 0,
        ...(problems.length > 0 ? { reason: problems.join('; ') } : {}),
        ...serving.describe(),
        inFlight: batcher.pending,
        // A dependency outage pauses the worker but is not its fault: it stays healthy.
        paused: { dependencies: gate.down, reasons: pauses.reasons },
      };
    },
  });

  shutdown
    .add('loops', async () => {
      stopRefresh();
      stopDeadlines();
      stopDispatch();
      stopPolicy();
      stopFeeder();
      gate.close();
      await Promise.all([recovery.stop(), decider.stop()]);
    })
    // close() stops taking jobs and waits for the ones in hand to finish.
    .add('inference worker', () => worker.close())
    .add('training worker', () => trainer?.close())
    .add('webhook worker', () => webhookWorker.close())
    .add('batches', () => batcher.idle())
    .add('queues', async () => {
      await Promise.all([queue.close(), trainingQueue.close(), webhookQueue.close()]);
    })
    .add('redis', async () => {
      await Promise.all([connection.quit(), sweepRedis.quit()]);
    })
    .add('models', () => serving.close())
    .add('health server', () => new Promise<void>((resolve) => health.close(() => resolve())))
    .add('database', () => database.close());

  for (const [name, running] of [
    ['inference', worker],
    ['training', trainer],
    ['webhook', webhookWorker],
  ] as const) {
    running?.run().catch((error: unknown) => {
      logger.error(`${name} worker stopped`, { error: errorMessage(error) });
      void shutdown.shutdown('worker error', 1);
    });
  }
  logger.info('inference worker started', {
    concurrency: config.WORKER_CONCURRENCY,
    metricsPort: (health.address() as AddressInfo).port,
  });
}

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

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `worker failed to start: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
