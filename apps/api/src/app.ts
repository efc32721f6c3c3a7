// The Express application: middleware, the operations of the contract's table (one handler
// each), /metrics, and the one error handler.
import express, { type Express, type RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { KeyAuthenticator } from '@predictq/clients';
import type { Db } from '@predictq/db';
import type { DriftMonitor } from '@predictq/drift';
import type { Logger } from '@predictq/logging';
import { type ApiMetrics, exposition } from '@predictq/metrics';
import type { ModelCheckOptions } from '@predictq/model';
import type { CompletionWaiter, StatusWatchers } from '@predictq/predictions';
import type { TargetPolicy } from '@predictq/webhooks';
import type { InferenceQueue, RetryPolicy, TrainingQueue, RedisConnection } from '@predictq/queue';

import type { DrainRate } from './drain-rate';
import { accessChains } from './http/access';
import { type AdminMode, markOperator, requireAdmin, requireOperatorPage } from './http/admin';
import { type Admission, admitSubmission } from './http/admission';
import { withBodyDeadline } from './http/body-deadline';
import { databaseGate } from './http/database-gate';
import type { RefusalPacer } from './http/refusal-pacer';
import { errorHandler, routeNotFound } from './http/errors';
import { httpMetrics } from './http/metrics';
import { clientRateLimit } from './http/rate-limit';
import { requestContext } from './http/request-context';
import { securityHeaders } from './http/security-headers';
import { ModelVersions } from './model-versions';
import { mountOperations } from './http/mount';
import { buildOpenApiDocument } from './openapi';
import { batchFeedbackHandlers } from './routes/batch-feedback.routes';
import { type BatchOptions, batchHandlers } from './routes/batch.routes';
import { clientHandlers } from './routes/client.routes';
import { compatHandlers } from './routes/compat.routes';
import { docsAssets, docsHandlers } from './routes/docs.routes';
import { predictionListHandlers } from './routes/prediction-list.routes';
import { type ConsoleQueue, queueConsole } from './routes/queue-console.routes';
import { PredictionStreams } from './routes/prediction-stream';
import { webhookHandlers } from './routes/webhook.routes';
import { driftHandlers } from './routes/drift.routes';
import { healthHandlers } from './routes/health.routes';
import { locationHandlers } from './routes/location.routes';
import { modelHandlers } from './routes/model.routes';
import { rolloutHandlers } from './routes/rollout.routes';
import { predictionHandlers } from './routes/prediction.routes';
import { trainingHandlers } from './routes/training.routes';

export interface AppOptions {
  db: Db;
  pool: Pool;
  redis: RedisConnection;
  queue: InferenceQueue;
  trainingQueue: TrainingQueue;
  logger: Logger;
  retry: RetryPolicy;
  waiter: CompletionWaiter;
  watchers: StatusWatchers;
  /** Predictions ended per second, fed by the ended notifications (a queued one's ETA). */
  drainRate?: DrainRate;
  /** The event streams (main closes them on shutdown). */
  streams?: { max: number; heartbeatMs: number; onCreated?: (streams: PredictionStreams) => void };
  webhookTargets: TargetPolicy;
  metrics: ApiMetrics;
  registry: Registry;
  /** Serve /metrics on the API's own port (false when METRICS_PORT serves it). */
  metricsOnMainPort: boolean;
  bodyLimit: string;
  uploadLimit: string;
  adminToken: string | undefined;
  adminMode: AdminMode;
  trustProxyHops: number;
  version: string;
  keys: KeyAuthenticator;
  requireApiKey: boolean;
  compatRequireApiKey: boolean;
  rateLimit: { max: number; windowMs: number; prefix: string };
  /** Admission control of submissions, shared with the front door. */
  admission: Admission;
  /** Chooses the Retry-After of refusals for overload (shared with admission and the door). */
  pacer: RefusalPacer;
  databaseMaxWaiting: number;
  bodyTimeoutMs: number;
  uploadTimeoutMs: number;
  modelCheck: ModelCheckOptions;
  /** The input-drift report, cached (GET /v1/drift and the drift gauges share it). */
  drift: DriftMonitor;
  batches: BatchOptions;
  /** The queues the operator's console (/admin/queues) shows. */
  consoleQueues: readonly ConsoleQueue[];
}

export function createApp(options: AppOptions): Express {
  const { db, redis, queue, logger, retry, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustProxyHops);
  app.set('case sensitive routing', true);

  // While shutting down (main sets app.locals.draining), every answer closes its connection, so
  // busy keep-alive clients move elsewhere instead of holding the shutdown open.
  app.use((_req, res, next) => {
    if (app.locals.draining === true) res.setHeader('Connection', 'close');
    next();
  });
  app.use(securityHeaders());
  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));

  if (options.metricsOnMainPort) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await exposition(options.registry);
      res.type(contentType).send(body);
    });
  }

  const jsonBody = withBodyDeadline(
    express.json({ limit: options.bodyLimit, strict: true }),
    options.bodyTimeoutMs,
  );
  const { pacer } = options;
  const gate = databaseGate(options.pool, options.databaseMaxWaiting, metrics, pacer);
  const rateLimit = clientRateLimit({
    redis,
    prefix: options.rateLimit.prefix,
    windowMs: options.rateLimit.windowMs,
    max: options.rateLimit.max,
    logger,
    metrics,
  });
  const admission = (replays: boolean): RequestHandler =>
    admitSubmission(options.admission, replays ? db : undefined);
  const chains = (requireKey: boolean, replays: boolean) =>
    accessChains({
      databaseGate: gate,
      keys: options.keys,
      requireKey,
      admission: admission(replays),
      rateLimit,
    });

  const modelVersions = new ModelVersions(db);
  const predictionDeps = { db, queue, logger: logger.child({ scope: 'predictions' }), retry };
  const streams = new PredictionStreams({
    db,
    watchers: options.watchers,
    modelVersions,
    logger: logger.child({ scope: 'streams' }),
    maxStreams: options.streams?.max ?? 1000,
    heartbeatMs: options.streams?.heartbeatMs ?? 15_000,
  });
  options.streams?.onCreated?.(streams);
  app.use(docsAssets());
  const operatorPage = requireOperatorPage(options.adminToken, options.adminMode);
  const operatorConsole = queueConsole(options.consoleQueues, operatorPage);
  app.use(
    mountOperations(
      {
        ...healthHandlers({ db, redis, logger, openapi: buildOpenApiDocument(options.version) }),
        ...predictionHandlers({
          ...predictionDeps,
          metrics,
          modelVersions,
          waiter: options.waiter,
          webhookTargets: options.webhookTargets,
          streams,
          drainRate: options.drainRate,
        }),
        ...predictionListHandlers({ ...predictionDeps, modelVersions }),
        streamPrediction: ({ params: { id } }, res, req) => streams.open(req, res, id),
        ...webhookHandlers({ db }),
        ...docsHandlers(),
        ...compatHandlers({ ...predictionDeps, metrics, modelVersions }),
        ...locationHandlers({ db }),
        ...batchHandlers({
          db,
          logger: logger.child({ scope: 'batches' }),
          ...options.batches,
        }),
        ...batchFeedbackHandlers({
          db,
          logger: logger.child({ scope: 'batches' }),
          limits: options.batches.limits,
          metrics,
          modelVersions,
        }),
        ...trainingHandlers({
          db,
          queue: options.trainingQueue,
          logger: logger.child({ scope: 'training' }),
        }),
        ...modelHandlers({ db, modelCheck: options.modelCheck }),
        ...rolloutHandlers({ db }),
        ...driftHandlers({ drift: options.drift }),
        ...clientHandlers({ db }),
        ...operatorConsole.handlers,
      },
      {
        v1: chains(options.requireApiKey, true),
        compat: chains(options.compatRequireApiKey, false),
        operator: requireAdmin(options.adminToken, options.adminMode),
        operatorPage,
        operatorView: markOperator(options.adminToken),
        jsonBody,
        uploadJsonBody: withBodyDeadline(
          express.json({ limit: options.uploadLimit, strict: true }),
          options.uploadTimeoutMs,
        ),
      },
    ),
  );

  // After the table, whose GET /admin/queues is the console's page.
  app.use(operatorConsole.routes);

  app.use(routeNotFound);
  app.use(errorHandler(logger, metrics));
  return app;
}
