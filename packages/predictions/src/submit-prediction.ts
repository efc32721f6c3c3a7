// Accepting a prediction: store it (PostgreSQL is the source of truth), then enqueue its job.
import { createHash, randomUUID } from 'node:crypto';

import type { Db, PredictionRow } from '@predictq/db';
import { enrichRequest, type TravellerRequest } from '@predictq/domain';
import { crashNow, Failpoints } from '@predictq/lifecycle';
import { errorMessage, type Logger } from '@predictq/logging';
import { enqueuePrediction, type InferenceQueue, type RetryPolicy } from '@predictq/queue';

import { acceptPrediction } from './prediction-lifecycle';

// The fault tests kill the API between the insert and the enqueue (never in production).
const failpoints = Failpoints.fromEnv();

export interface PredictionDeps {
  db: Db;
  queue: InferenceQueue;
  logger: Logger;
  retry: RetryPolicy;
}

export class IdempotencyKeyReused extends Error {
  constructor(readonly predictionId: string) {
    super('the Idempotency-Key was already used with a different request body');
    this.name = 'IdempotencyKeyReused';
  }
}

export interface Submission {
  prediction: PredictionRow;
  /** false when an idempotency key returned an earlier prediction. */
  created: boolean;
  /** false when Redis refused the job: the recovery sweep enqueues it later. */
  enqueued: boolean;
}

export function requestHash(request: TravellerRequest): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/**
 * Stores the request as a queued prediction of the client and enqueues its job. A request that was stored is
 * accepted even when Redis is unavailable: the worker's recovery sweep enqueues it later, so
 * nothing accepted is lost.
 */
export async function submitPrediction(
  deps: PredictionDeps,
  request: TravellerRequest,
  options: { idempotencyKey?: string | undefined; clientId?: string | undefined } = {},
): Promise<Submission> {
  const { idempotencyKey, clientId } = options;
  const hash = idempotencyKey === undefined ? undefined : requestHash(request);
  const { prediction, created } = await acceptPrediction(deps.db, {
    id: randomUUID(),
    request: enrichRequest(request),
    idempotencyKey,
    requestHash: hash,
    clientId,
  });
  if (!created && prediction.request_hash !== hash) throw new IdempotencyKeyReused(prediction.id);
  if (created && failpoints.fires('submit.after-insert')) crashNow();
  // A replay of a still-queued prediction enqueues again: the job id dedups, and it heals a crash
  // between the insert and the first enqueue.
  if (!created && prediction.status !== 'queued') return { prediction, created, enqueued: true };
  try {
    await enqueuePrediction(deps.queue, prediction.id, deps.retry);
    return { prediction, created, enqueued: true };
  } catch (error) {
    deps.logger.warn('enqueue failed; the recovery sweep will enqueue the prediction', {
      predictionId: prediction.id,
      error: errorMessage(error),
    });
    return { prediction, created, enqueued: false };
  }
}
