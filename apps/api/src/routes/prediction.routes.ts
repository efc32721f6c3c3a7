// The v1 prediction routes: submit, poll, give feedback.
import type { Request, RequestHandler } from 'express';
import { recordFeedback } from '@predictq/db';
import { isTerminal } from '@predictq/domain';
import {
  type CompletionWaiter,
  IdempotencyKeyReused,
  type PredictionDeps,
  readPrediction,
  submitPrediction,
} from '@predictq/predictions';

import type { Access } from '../http/access';
import { callingClient } from '../http/client-auth';
import { HttpError, notFound } from '../http/errors';
import { router } from '../http/router';
import { parseBody, parseQuery, uuidParam } from '../http/validate';
import type { ApiMetrics } from '@predictq/metrics';

import type { ModelVersions } from '../model-versions';
import { presentAccepted, presentFeedback, presentPrediction } from '../presenters';
import { createPredictionBody, feedbackBody, IDEMPOTENCY_KEY, waitQuery } from '@predictq/contract';

export interface PredictionRouteDeps extends PredictionDeps {
  modelVersions: ModelVersions;
  waiter: CompletionWaiter;
  metrics: ApiMetrics;
  /** Parses JSON bodies (on the routes that take one, so errors know their route). */
  jsonBody: RequestHandler;
  access: Access;
}

function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new HttpError(400, 'validation_failed', 'invalid header: Idempotency-Key', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return key;
}

export function predictionRoutes(deps: PredictionRouteDeps) {
  const routes = router();

  routes.post('/v1/predictions', ...deps.access.submit, deps.jsonBody, async (req, res) => {
    const request = parseBody(createPredictionBody, req);
    const key = idempotencyKeyOf(req);
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
          { field: 'Idempotency-Key', message: `already used by prediction ${error.predictionId}` },
        ]);
      }
      throw error;
    }
  });

  routes.get('/v1/predictions/:id', ...deps.access.read, async (req, res) => {
    const id = uuidParam(req.params.id, 'prediction');
    const { wait } = parseQuery(waitQuery, req);
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
  });

  routes.post(
    '/v1/predictions/:id/feedback',
    ...deps.access.read,
    deps.jsonBody,
    async (req, res) => {
      const id = uuidParam(req.params.id, 'prediction');
      const { location_id } = parseBody(feedbackBody, req);
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
  );

  return routes;
}
