// The v1 prediction routes: submit (Prefer: wait), read (long poll, Prefer: wait, or an event
// stream), give feedback.
import type { Response } from 'express';
import { recordFeedback, unfinishedAhead } from '@predictq/db';
import { isTerminal } from '@predictq/domain';
import { preferredWait } from '@predictq/contract';
import {
  type CompletionWaiter,
  IdempotencyKeyReused,
  type PredictionDeps,
  type PredictionView,
  readPrediction,
  submitPrediction,
} from '@predictq/predictions';
import { checkTarget, type TargetPolicy } from '@predictq/webhooks';

import type { ApiMetrics } from '@predictq/metrics';

import { callingClient } from '../http/client-auth';
import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';
import type { DrainRate } from '../drain-rate';
import type { ModelVersions } from '../model-versions';
import { presentAccepted, presentFeedback, presentPrediction } from '../presenters';
import type { PredictionStreams } from './prediction-stream';

export interface PredictionRouteDeps extends PredictionDeps {
  modelVersions: ModelVersions;
  waiter: CompletionWaiter;
  metrics: ApiMetrics;
  webhookTargets: TargetPolicy;
  streams: PredictionStreams;
  /** Predictions ended per second (the ETA of a queued one); without it, no ETA. */
  drainRate?: DrainRate | undefined;
}

/** A queued prediction's count of those ahead stops here: a bounded index-only scan. */
const AHEAD_CAP = 1_000;

/**
 * Reads the prediction, waiting up to `seconds` for it to end. The wait is registered before the
 * read, so an end in between wakes it. The read that returns a ranking marks it shown.
 */
export async function readWaiting(
  deps: PredictionRouteDeps,
  res: Response,
  id: string,
  clientId: string,
  seconds: number,
): Promise<PredictionView | undefined> {
  const waiting = seconds > 0 ? deps.waiter.wait(id, seconds * 1000) : undefined;
  res.on('close', () => waiting?.cancel());
  let view = await readPrediction(deps.db, id, { clientId });
  if (waiting && view && !isTerminal(view.prediction.status)) {
    await waiting.promise;
    view = await readPrediction(deps.db, id, { clientId });
  }
  waiting?.cancel();
  return view;
}

export function predictionHandlers(
  deps: PredictionRouteDeps,
): Handlers<'submitPrediction' | 'getPrediction' | 'sendFeedback'> {
  return {
    submitPrediction: async ({ body, headers }, res) => {
      const key = headers['Idempotency-Key'];
      const { webhook, webhook_events_filter, cancel_after, ...request } = body;
      if (webhook !== undefined) {
        const target = await checkTarget(webhook, deps.webhookTargets);
        if (!target.ok) {
          throw new HttpError(422, 'webhook_refused', `the webhook target is refused`, [
            { field: 'webhook', message: target.reason },
          ]);
        }
      }
      const { clientId } = callingClient(res);
      try {
        const { prediction, created } = await submitPrediction(deps, request, {
          idempotencyKey: key,
          clientId,
          submission: {
            webhook,
            webhookEventsFilter: webhook_events_filter,
            cancelAfterS: cancel_after ?? headers['Cancel-After'],
          },
        });
        if (created) deps.metrics.predictionsSubmitted.inc({ api: 'v1' });
        else res.setHeader('Idempotent-Replayed', 'true');
        res.location(`/v1/predictions/${prediction.id}`);
        const wait = preferredWait(headers.Prefer);
        if (wait !== undefined) {
          (res.locals.releaseAdmission as (() => void) | undefined)?.();
          res.setHeader('Preference-Applied', `wait=${wait}`);
          const view = await readWaiting(deps, res, prediction.id, clientId, wait);
          if (view && isTerminal(view.prediction.status)) {
            const version = await deps.modelVersions.of(view.prediction.model_id);
            res.status(200).json(presentPrediction(view, version));
            return;
          }
        }
        res.status(202).json(presentAccepted(prediction));
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

    getPrediction: async ({ params: { id }, query, headers }, res, req) => {
      if (req.accepts(['application/json', 'text/event-stream']) === 'text/event-stream') {
        await deps.streams.open(req, res, id);
        return;
      }
      const { clientId } = callingClient(res);
      const preferred = preferredWait(headers.Prefer);
      if (preferred !== undefined) res.setHeader('Preference-Applied', `wait=${preferred}`);
      const wait = Math.max(query.wait, preferred ?? 0);
      const view = await readWaiting(deps, res, id, clientId, wait);
      if (!view) throw notFound('prediction');
      const body = presentPrediction(view, await deps.modelVersions.of(view.prediction.model_id));
      const { prediction } = view;
      if (prediction.status === 'queued' && prediction.batch_id === null) {
        const ahead = await unfinishedAhead(deps.db, prediction.id, AHEAD_CAP);
        const rate = deps.drainRate?.perSecond() ?? 0;
        res.json({
          ...body,
          queue: {
            ahead,
            ahead_at_least: ahead >= AHEAD_CAP,
            eta_seconds: rate > 0 ? Math.round(((ahead + 1) / rate) * 10) / 10 : null,
          },
        });
        return;
      }
      res.json(body);
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
