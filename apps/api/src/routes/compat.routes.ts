// The MLprod-compatible routes: the original course system's paths, JSON shapes and status words,
// so that its clients (and its traffic generator) run unchanged.
import {
  countLocations,
  countPredictions,
  type Db,
  getLocation,
  getPrediction,
  getRanking,
  listLocations,
  recordFeedback,
} from '@predictq/db';
import type { PredictionStatus } from '@predictq/domain';
import type { ApiMetrics } from '@predictq/metrics';
import { type PredictionDeps, readPrediction, submitPrediction } from '@predictq/predictions';

import type { compatStatusWords } from '@predictq/contract';

import { callingClient } from '../http/client-auth';
import { CompatTaskFailed, HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import { uuidParam } from '../http/validate';
import type { ModelVersions } from '../model-versions';
import { presentCompatLocation, presentCompatResult } from '../presenters';

const STATUS_WORD: Record<PredictionStatus, (typeof compatStatusWords)[number]> = {
  queued: 'PENDING',
  processing: 'STARTED',
  succeeded: 'SUCCESS',
  failed: 'FAILURE',
  canceled: 'REVOKED',
};

export interface CompatRouteDeps extends PredictionDeps {
  db: Db;
  metrics: ApiMetrics;
  modelVersions: ModelVersions;
}

export function compatHandlers(
  deps: CompatRouteDeps,
): Handlers<
  | 'startInference'
  | 'inferenceStatus'
  | 'inferenceResults'
  | 'selectLocation'
  | 'contentInfo'
  | 'contentLocations'
  | 'contentLocation'
> {
  return {
    startInference: async ({ body: { name, ...request } }, res) => {
      const { prediction } = await submitPrediction(
        deps,
        { ...request, profile: request.profile ?? name },
        { clientId: callingClient(res).clientId },
      );
      deps.metrics.predictionsSubmitted.inc({ api: 'compat' });
      res.json({
        task_id: prediction.id,
        status: STATUS_WORD[prediction.status],
        type: 'inference',
      });
    },

    inferenceStatus: async ({ params: { task_id } }, res) => {
      const prediction = await getPrediction(deps.db, task_id);
      if (!prediction || prediction.client_id !== callingClient(res).clientId)
        throw notFound('task');
      if (prediction.status === 'failed') throw new CompatTaskFailed(prediction.error);
      res.json({
        task_id: prediction.id,
        status: STATUS_WORD[prediction.status],
        type: 'inference',
      });
    },

    inferenceResults: async ({ params: { task_id }, query: { limit } }, res) => {
      const view = await readPrediction(deps.db, task_id, {
        limit,
        clientId: callingClient(res).clientId,
      });
      if (!view) throw notFound('task');
      if (view.prediction.status === 'failed') throw new CompatTaskFailed(view.prediction.error);
      res.json((view.ranking ?? []).map(presentCompatResult));
    },

    // Express matches the path with or without the original's trailing slash.
    selectLocation: async ({ body }, res) => {
      const taskId = uuidParam(body.task_id, 'result');
      const result = await recordFeedback(
        deps.db,
        taskId,
        body.location_id === -1 ? null : body.location_id,
        callingClient(res).clientId,
      );
      switch (result.kind) {
        case 'recorded': {
          deps.metrics.feedback.inc({
            outcome: result.feedback.outcome,
            model_version: String(await deps.modelVersions.of(result.feedback.model_id)),
          });
          if (result.feedback.location_id === null) {
            res.json(null);
            return;
          }
          const chosen = (await getRanking(deps.db, taskId)).find(
            (stay) => stay.location_id === result.feedback.location_id,
          );
          if (!chosen) throw notFound('result');
          res.json({
            ...presentCompatResult(chosen),
            task_id: taskId,
            rank: chosen.rank,
            // The stay this selection just recorded as the group's choice.
            label: 1,
          });
          return;
        }
        case 'prediction_not_found':
        case 'not_shown':
          throw notFound('result');
        case 'not_ready':
          throw new HttpError(
            409,
            'prediction_not_ready',
            `the task is ${STATUS_WORD[result.status]}`,
          );
        case 'duplicate':
          throw new HttpError(
            409,
            'feedback_exists',
            'a selection was already recorded for this task',
          );
      }
    },

    contentInfo: async (_request, res) => {
      const [locations, users] = await Promise.all([
        countLocations(deps.db),
        countPredictions(deps.db),
      ]);
      res.json({ locations, users });
    },

    contentLocations: async (_request, res) => {
      res.json((await listLocations(deps.db)).map(presentCompatLocation));
    },

    contentLocation: async ({ params: { id } }, res) => {
      const row = await getLocation(deps.db, id);
      if (!row) throw notFound('location');
      res.json(presentCompatLocation(row));
    },
  };
}
