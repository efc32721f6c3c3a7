// The API process: configuration, connections, the HTTP server, graceful shutdown.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { KeyAuthenticator } from '@predictq/clients';
import { ConfigError } from '@predictq/config';
import { openMigratedDatabase, PredictionEvents } from '@predictq/db';
import { DriftBaselines, DriftMonitor, measureDrift } from '@predictq/drift';
import { installCrashHandlers, limitHeapGrowth, ShutdownRegistry } from '@predictq/lifecycle';
import { createLogger, errorMessage } from '@predictq/logging';
import {
  createApiMetrics,
  createDriftMetrics,
  createBatchApiMetrics,
  createMetricsRegistry,
  QUEUE_STATES,
} from '@predictq/metrics';
import { canLimitMemory } from '@predictq/model';
import { CompletionWaiter, StatusWatchers } from '@predictq/predictions';
import { targetPolicy } from '@predictq/webhooks';
import {
  BacklogSampler,
  createInferenceQueue,
  createRedis,
  createTrainingQueue,
  createWebhookQueue,
  waitForRedis,
} from '@predictq/queue';

import { createApp } from './app';
import { DrainRate } from './drain-rate';
import { adminMode } from './http/admin';
import { Admission } from './http/admission';
import { frontDoor } from './http/front-door';
import { RefusalPacer } from './http/refusal-pacer';
import { securityHeaderList } from './http/security-headers';
import { startMetricsServer } from './metrics-server';
import { loadApiConfig } from './config';

const VERSION = process.env.npm_package_version ?? '0.1.0';

async function main(): Promise<void> {
  const config = loadApiConfig();
  limitHeapGrowth(config.HEAP_GROWING_PERCENT);
  const logger = createLogger({
    service: 'api',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  const shutdown = new ShutdownRegistry({ logger, deadlineMs: config.SHUTDOWN_TIMEOUT_MS });
  shutdown.listen();
  installCrashHandlers({ logger, shutdown });

  const { database, created } = await openMigratedDatabase({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
    applicationName: 'predictq-api',
    migrate: config.MIGRATE_ON_START,
    onWaitingForMigrations: (pending) =>
      logger.info('waiting for the migration job', { pendingMigrations: pending }),
    onError: (error) => logger.warn('idle database connection failed', { error: error.message }),
  });
  if (created) logger.info('created the database', { url: redactUrl(config.DATABASE_URL) });

  const redis = createRedis(config.REDIS_URL, 'producer', {
    name: 'predictq-api',
    cluster: config.REDIS_CLUSTER,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  redis.on('error', (error: Error) =>
    logger.warn('redis connection error', { error: error.message }),
  );
  // Without Redis the API still accepts predictions (the worker's sweep enqueues them later),
  // so an unreachable Redis delays nothing here.
  await waitForRedis(redis, 5_000).catch((error: unknown) =>
    logger.warn('redis not ready yet; continuing', { error: errorMessage(error) }),
  );
  const queue = createInferenceQueue(redis, config.QUEUE_PREFIX);
  queue.on('error', (error) => logger.warn('inference queue error', { error: error.message }));
  const trainingQueue = createTrainingQueue(redis, config.QUEUE_PREFIX);
  trainingQueue.on('error', (error) =>
    logger.warn('training queue error', { error: error.message }),
  );
  // Only the queue console reads it here: the worker enqueues the deliveries.
  const webhookQueue = createWebhookQueue(redis, config.QUEUE_PREFIX);
  webhookQueue.on('error', (error) => logger.warn('webhook queue error', { error: error.message }));

  const admin = adminMode(config.ADMIN_TOKEN, config.ALLOW_OPEN_ADMIN);
  if (admin === 'closed') {
    logger.warn(
      'ADMIN_TOKEN is not set: the operator routes (train, activate, traffic, upload, clients) answer 401',
    );
  } else if (admin === 'open') {
    logger.warn('ALLOW_OPEN_ADMIN: the operator routes are open to anyone (development only)');
  }
  if (!canLimitMemory()) {
    logger.warn(
      'prlimit (util-linux) is missing: model uploads are checked without a memory limit',
    );
  }

  const registry = createMetricsRegistry();
  const metrics = createApiMetrics(registry, [
    { name: queue.name, counts: () => queue.getJobCounts(...QUEUE_STATES) },
    { name: trainingQueue.name, counts: () => trainingQueue.getJobCounts(...QUEUE_STATES) },
  ]);
  const baselines = new DriftBaselines(database.db, logger.child({ scope: 'drift' }));
  const drift = new DriftMonitor(
    () =>
      measureDrift(
        { db: database.db, baselines },
        {
          windowMinutes: config.DRIFT_WINDOW_MINUTES,
          maxRequests: config.DRIFT_WINDOW_MAX_REQUESTS,
          minRequests: config.DRIFT_MIN_REQUESTS,
          threshold: config.DRIFT_PSI_THRESHOLD,
        },
      ),
    config.DRIFT_CACHE_TTL_MS,
  );
  createDriftMetrics(registry, async () => {
    const report = await drift.current();
    return {
      threshold: report.threshold,
      windowRequests: report.window.requests,
      features: report.features,
    };
  });
  const sampler = new BacklogSampler(redis, queue, {
    intervalMs: config.ADMISSION_SAMPLE_INTERVAL_MS,
    onSample: (backlog) =>
      metrics.oldestWait.set({ queue: queue.name }, backlog.oldestWaitMs / 1000),
  });
  sampler.start();

  const pacer = new RefusalPacer({
    minS: config.ADMISSION_RETRY_AFTER_S,
    pace: config.ADMISSION_REFUSAL_PACE,
    maxS: 30,
  });
  const admission = new Admission({
    backlog: () => sampler.current(),
    limits: {
      maxInFlight: config.ADMISSION_MAX_IN_FLIGHT,
      maxWaiting: config.ADMISSION_MAX_WAITING,
      maxWaitMs: config.ADMISSION_MAX_WAIT_MS,
    },
    pacer,
    metrics,
  });

  const waiter = new CompletionWaiter();
  const watchers = new StatusWatchers();
  const drainRate = new DrainRate();
  const events = new PredictionEvents({
    url: config.DATABASE_URL,
    onEnded: (ids) => {
      drainRate.record(ids.length);
      waiter.notify(ids);
      watchers.notify(ids);
    },
    onStarted: (ids) => watchers.notify(ids),
    onReconnect: () => {
      waiter.wakeAll();
      watchers.notifyAll();
    },
    onError: (error) => logger.warn('prediction events connection lost', { error: error.message }),
  });
  await events.start();

  let streams: { closeAll(): void } | undefined;
  const app = createApp({
    db: database.db,
    pool: database.pool,
    redis,
    queue,
    trainingQueue,
    consoleQueues: [queue, trainingQueue, webhookQueue],
    logger,
    retry: { attempts: config.INFERENCE_ATTEMPTS, backoffMs: config.INFERENCE_BACKOFF_MS },
    waiter,
    watchers,
    drainRate,
    streams: {
      max: config.SSE_MAX_STREAMS,
      heartbeatMs: config.SSE_HEARTBEAT_MS,
      onCreated: (created) => (streams = created),
    },
    webhookTargets: targetPolicy(config.WEBHOOK_ALLOWED_HOSTS, config.WEBHOOK_ALLOW_HTTP),
    metrics,
    registry,
    metricsOnMainPort: config.METRICS_PORT === undefined,
    bodyLimit: config.BODY_LIMIT,
    uploadLimit: config.MODEL_UPLOAD_LIMIT,
    adminToken: config.ADMIN_TOKEN,
    adminMode: admin,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    version: VERSION,
    keys: new KeyAuthenticator(database.db, { ttlMs: config.API_KEY_CACHE_TTL_MS }),
    requireApiKey: config.REQUIRE_API_KEY,
    compatRequireApiKey: config.COMPAT_REQUIRE_API_KEY,
    rateLimit: {
      max: config.RATE_LIMIT_MAX,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      prefix: config.QUEUE_PREFIX,
    },
    admission,
    pacer,
    databaseMaxWaiting: config.DATABASE_MAX_WAITING,
    bodyTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    uploadTimeoutMs: config.HTTP_UPLOAD_TIMEOUT_MS,
    batches: {
      limits: { maxBytes: config.BATCH_MAX_BYTES, maxRows: config.BATCH_MAX_ROWS },
      windowSize: config.BATCH_WINDOW,
      topK: config.BATCH_RESULTS_TOP_K,
      metrics: createBatchApiMetrics(registry),
    },
    modelCheck: {
      memoryMb: config.MODEL_CHECK_MEMORY_MB,
      timeoutMs: config.MODEL_CHECK_TIMEOUT_MS,
    },
    drift,
  });
  // A deep accept queue: a burst of new connections waits there for the API to answer (even if
  // with a refusal) instead of overflowing it and waiting out the clients' SYN retries (1 s, 3 s,
  // 7 s). The kernel caps it at net.core.somaxconn.
  const server = createServer(
    frontDoor(app, {
      admission,
      metrics,
      headers: securityHeaderList(),
      draining: () => app.locals.draining === true,
    }),
  );
  server.listen({ port: config.PORT, host: config.HOST, backlog: 4096 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Headers must arrive quickly; whole requests may take the upload's time (ordinary bodies have
  // their own, shorter deadline); idle keep-alive connections outlive a proxy's idle timeout, so
  // the proxy closes them first.
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = Math.max(config.HTTP_UPLOAD_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS);
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  const { port } = server.address() as AddressInfo;
  const metricsServer =
    config.METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer(registry, config.METRICS_PORT, config.HOST);
  logger.info('api listening', {
    port,
    host: config.HOST,
    version: VERSION,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
  });

  shutdown
    .add('http server', () => {
      app.locals.draining = true;
      sampler.stop();
      // Long polls answer now with the current status instead of holding the close, and event
      // streams end (their clients reconnect with Last-Event-ID).
      waiter.wakeAll();
      streams?.closeAll();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      metricsServer?.server.close();
      return closed;
    })
    .add('prediction events', () => events.close())
    .add('queues', async () => {
      await Promise.all([queue.close(), trainingQueue.close(), webhookQueue.close()]);
    })
    .add('redis', async () => {
      await redis.quit();
    })
    .add('database', () => database.close());
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

main().catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError
      ? `${error.message}\n`
      : `api failed to start: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});
