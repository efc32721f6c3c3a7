// The v1 prediction routes: submit, poll, give feedback.
import { recordFeedback } from '@predictq/db';
import { isTerminal } from '@predictq/domain';
import {
  type CompletionWaiter,
  IdempotencyKeyReused,
  type PredictionDeps,
  readPrediction,
  submitPrediction,
} from '@predictq/predictions';

import type { ApiMetrics } from '@predictq/metrics';

import { callingClient } from '../http/client-auth';
import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import type { ModelVersions } from '../model-versions';
import { presentAccepted, presentFeedback, presentPrediction } from '../presenters';

export interface PredictionRouteDeps extends PredictionDeps {
  modelVersions: ModelVersions;
  waiter: CompletionWaiter;
  metrics: ApiMetrics;
}

export function predictionHandlers(
  deps: PredictionRouteDeps,
): Handlers<'submitPrediction' | 'getPrediction' | 'sendFeedback'> {
  return {
    submitPrediction: async ({ body: request, headers }, res) => {
      const key = headers['Idempotency-Key'];
      try {
        const { prediction, created } = await submitPrediction(deps, request, {
          idempotencyKey: key,
          clientId: callingClient(res).clientId,
        });
        if (created) deps.metrics.predictionsSubmitted.inc({ api: 'v1' });
        else res.setHeader('Idempotent-Replayed', 'true');
        res
          .status(202)
          .location(`/v1/predictions/${prediction.id}`)
          .json(presentAccepted(prediction));
      } catch (error) {
        if (error instanceof IdempotencyKeyReused) {
          // Keys are unique per client, so the id named here is the caller's own prediction.
          throw new HttpError(422, 'idempotency_key_reused', error.message, [
            {
              field: 'Idempotency-Key',
              message: `already used by prediction ${error.predictionId}`,
            },
          ]);
        }
        throw error;
      }
    },

    getPrediction: async ({ params: { id }, query: { wait } }, res) => {
      const { clientId } = callingClient(res);
      // Long polling (?wait=seconds): registered before the read, so an end in between wakes it.
      const waiting = wait > 0 ? deps.waiter.wait(id, wait * 1000) : undefined;
      res.on('close', () => waiting?.cancel());
      let view = await readPrediction(deps.db, id, { clientId });
      if (waiting && view && !isTerminal(view.prediction.status)) {
        await waiting.promise;
        view = await readPrediction(deps.db, id, { clientId });
      }
      waiting?.cancel();
      if (!view) throw notFound('prediction');
      res.json(presentPrediction(view, await deps.modelVersions.of(view.prediction.model_id)));
    },

    sendFeedback: async ({ params: { id }, body: { location_id } }, res) => {
      const result = await recordFeedback(deps.db, id, location_id, callingClient(res).clientId);
      switch (result.kind) {
        case 'recorded':
          deps.metrics.feedback.inc({
            outcome: result.feedback.outcome,
            model_version: String(await deps.modelVersions.of(result.feedback.model_id)),
          });
          res.status(201).json(presentFeedback(result.feedback));
          return;
        case 'prediction_not_found':
          throw notFound('prediction');
        case 'not_ready':
          throw new HttpError(
            409,
            'prediction_not_ready',
            `the prediction is ${result.status}: feedback is taken once it succeeded`,
          );
        case 'not_shown':
          throw new HttpError(
            422,
            'location_not_shown',
            `location ${result.locationId} is not among the stays this prediction returned`,
            [{ field: 'location_id', message: 'must be one of the returned stays, or null' }],
          );
        case 'duplicate':
          throw new HttpError(
            409,
            'feedback_exists',
            `feedback was already given for this prediction (${result.feedback.outcome})`,
          );
      }
    },
  };
}
