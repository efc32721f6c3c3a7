// Training runs: an operator starts one (v1, or the MLprod-compatible /train/start); anyone may
// follow its progress and result.
import { randomUUID } from 'node:crypto';

import type { Request, RequestHandler } from 'express';
import { type TrainingRunBody, trainingRequestBody } from '@predictq/contract';
import {
  createTrainingRun,
  type Db,
  finishTrainingRun,
  getTrainingRun,
  type TrainingRunRow,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import { enqueueTraining, type TrainingQueue } from '@predictq/queue';

import type { Access } from '../http/access';
import { HttpError, notFound } from '../http/errors';
import { router as caseSensitiveRouter } from '../http/router';
import { parseBody, uuidParam } from '../http/validate';

export interface TrainingRouteDeps {
  db: Db;
  queue: TrainingQueue;
  logger: Logger;
  admin: RequestHandler;
  jsonBody: RequestHandler;
  access: Access;
}

function presentRun(run: TrainingRunRow): TrainingRunBody {
  return {
    id: run.id,
    status: run.status,
    params: run.params as Record<string, unknown>,
    progress: run.progress as TrainingRunBody['progress'],
    result: run.result as Record<string, unknown> | null,
    model_id: run.model_id,
    error: run.error,
    created_at: run.created_at.toISOString(),
    started_at: run.started_at?.toISOString() ?? null,
    completed_at: run.completed_at?.toISOString() ?? null,
  };
}

export function trainingRoutes(deps: TrainingRouteDeps) {
  const { db, admin } = deps;
  const router = caseSensitiveRouter();

  /** Stores the run, then enqueues it; a run the queue refused is ended failed at once. */
  const start = async (params: Record<string, unknown>): Promise<TrainingRunRow> => {
    const run = await createTrainingRun(db, randomUUID(), params);
    try {
      await enqueueTraining(deps.queue, run.id);
    } catch (error) {
      await finishTrainingRun(db, run.id, {
        status: 'failed',
        error: `not enqueued: ${errorMessage(error)}`,
      });
      deps.logger.error('training run not enqueued', {
        trainingRunId: run.id,
        error: errorMessage(error),
      });
      throw new HttpError(
        503,
        'queue_unavailable',
        'the training queue is unavailable; try again',
      ).withRetryAfter(5);
    }
    deps.logger.info('training run queued', { trainingRunId: run.id, params });
    return run;
  };

  // An empty or absent body means the defaults.
  const paramsOf = (req: Request) =>
    req.body === undefined ? {} : parseBody(trainingRequestBody, req);

  router.post('/v1/models/train', admin, deps.jsonBody, async (req, res) => {
    const run = await start(paramsOf(req));
    res
      .status(202)
      .location(`/v1/trainings/${run.id}`)
      .json({ id: run.id, status: 'queued', created_at: run.created_at.toISOString() });
  });

  router.post('/train/start', admin, deps.jsonBody, async (req, res) => {
    const run = await start(paramsOf(req));
    res.json({ task_id: run.id, status: 'PENDING', type: 'training' });
  });

  router.get('/v1/trainings/:id', ...deps.access.read, async (req, res) => {
    const run = await getTrainingRun(db, uuidParam(req.params.id, 'training run'));
    if (!run) throw notFound('training run');
    res.json(presentRun(run));
  });

  return router;
}
