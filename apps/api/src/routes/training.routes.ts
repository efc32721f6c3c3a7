// Training runs: an operator starts one (v1, or the MLprod-compatible /train/start); anyone may
// follow its progress and result.
import { randomUUID } from 'node:crypto';

import type { TrainingRunBody } from '@predictq/contract';
import {
  createTrainingRun,
  type Db,
  finishTrainingRun,
  getTrainingRun,
  type TrainingRunRow,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import { enqueueTraining, type TrainingQueue } from '@predictq/queue';

import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';

export interface TrainingRouteDeps {
  db: Db;
  queue: TrainingQueue;
  logger: Logger;
}

function presentRun(run: TrainingRunRow): TrainingRunBody {
  return {
    id: run.id,
    status: run.status,
    params: run.params as Record<string, unknown>,
    progress: run.progress as TrainingRunBody['progress'],
    result: run.result as TrainingRunBody['result'],
    model_id: run.model_id,
    error: run.error,
    created_at: run.created_at.toISOString(),
    started_at: run.started_at?.toISOString() ?? null,
    completed_at: run.completed_at?.toISOString() ?? null,
  };
}

export function trainingHandlers(
  deps: TrainingRouteDeps,
): Handlers<'trainModel' | 'startTraining' | 'getTraining'> {
  const { db } = deps;

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

  // An absent body means the defaults (the table declares it optional).
  return {
    trainModel: async ({ body }, res) => {
      const run = await start(body);
      res
        .status(202)
        .location(`/v1/trainings/${run.id}`)
        .json({ id: run.id, status: 'queued', created_at: run.created_at.toISOString() });
    },

    startTraining: async ({ body }, res) => {
      const run = await start(body);
      res.json({ task_id: run.id, status: 'PENDING', type: 'training' });
    },

    getTraining: async ({ params: { id } }, res) => {
      const run = await getTrainingRun(db, id);
      if (!run) throw notFound('training run');
      res.json(presentRun(run));
    },
  };
}
