// The Express application: middleware, routes, and the one error handler.
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Redis } from 'ioredis';
import type { Db } from '@predictq/db';
import type { Logger } from '@predictq/logging';
import { type ApiMetrics, exposition } from '@predictq/metrics';
import type { CompletionWaiter } from '@predictq/predictions';
import type { InferenceQueue, RetryPolicy, TrainingQueue } from '@predictq/queue';

import { errorHandler, routeNotFound } from './http/errors';
import { type AdminMode, requireAdmin } from './http/admin';
import { httpMetrics } from './http/metrics';
import { requestContext } from './http/request-context';
import { ModelVersions } from './model-versions';
import { buildOpenApiDocument } from './openapi';
import { compatRoutes } from './routes/compat.routes';
import { healthRoutes } from './routes/health.routes';
import { locationRoutes } from './routes/location.routes';
import { modelRoutes } from './routes/model.routes';
import { predictionRoutes } from './routes/prediction.routes';
import { trainingRoutes } from './routes/training.routes';

export interface AppOptions {
  db: Db;
  redis: Redis;
  queue: InferenceQueue;
  trainingQueue: TrainingQueue;
  logger: Logger;
  retry: RetryPolicy;
  waiter: CompletionWaiter;
  metrics: ApiMetrics;
  registry: Registry;
  bodyLimit: string;
  uploadLimit: string;
  adminToken: string | undefined;
  adminMode: AdminMode;
  trustProxyHops: number;
  version: string;
}

export function createApp(options: AppOptions): Express {
  const { db, redis, queue, logger, retry } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', options.trustProxyHops);

  // While shutting down (main sets app.locals.draining), every answer closes its connection, so
  // busy keep-alive clients move elsewhere instead of holding the shutdown open.
  app.use((_req, res, next) => {
    if (app.locals.draining === true) res.setHeader('Connection', 'close');
    next();
  });
  app.use(requestContext(logger));
  app.use(httpMetrics(options.metrics));

  const openapi = buildOpenApiDocument(options.version);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await exposition(options.registry);
    res.type(contentType).send(body);
  });
  app.use(healthRoutes({ db, redis }));

  const jsonBody = express.json({ limit: options.bodyLimit, strict: true });
  const modelVersions = new ModelVersions(db);
  const predictionDeps = { db, queue, logger: logger.child({ scope: 'predictions' }), retry };
  const shared = { ...predictionDeps, metrics: options.metrics, modelVersions, jsonBody };
  app.use(predictionRoutes({ ...shared, waiter: options.waiter }));
  app.use(locationRoutes({ db }));
  app.use(compatRoutes(shared));
  const admin = requireAdmin(options.adminToken, options.adminMode);
  app.use(
    trainingRoutes({
      db,
      queue: options.trainingQueue,
      logger: logger.child({ scope: 'training' }),
      admin,
      jsonBody,
    }),
  );
  app.use(
    modelRoutes({
      db,
      admin,
      jsonBody,
      uploadJsonBody: express.json({ limit: options.uploadLimit, strict: true }),
    }),
  );

  app.use(routeNotFound);
  app.use(errorHandler(logger, options.metrics));
  return app;
}
