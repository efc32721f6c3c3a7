// Accepting a prediction: store it (PostgreSQL is the source of truth), then enqueue its job.
import { createHash, randomUUID } from 'node:crypto';

import type { Db, PredictionRow } from '@predictq/db';
import {
  DEFAULT_WEBHOOK_EVENTS,
  enrichRequest,
  type SubmissionOptions,
  type TravellerRequest,
} from '@predictq/domain';
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
    super('the Idempotency-Key was already used with a different request body or options');
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

/** The options as stored: the default events filter applied when there is a webhook. */
export function normalizeOptions(options: SubmissionOptions): SubmissionOptions {
  return {
    webhook: options.webhook,
    webhookEventsFilter:
      options.webhook === undefined
        ? undefined
        : [...new Set(options.webhookEventsFilter ?? DEFAULT_WEBHOOK_EVENTS)].sort(),
    cancelAfterS: options.cancelAfterS,
  };
}

/**
 * What an Idempotency-Key is bound to: the request and the options. Without options it is the
 * request's hash alone, as it was before options existed (so older keys still replay).
 */
export function requestHash(request: TravellerRequest, options: SubmissionOptions = {}): string {
  const { webhook, webhookEventsFilter, cancelAfterS } = normalizeOptions(options);
  const hasOptions = webhook !== undefined || cancelAfterS !== undefined;
  const identity = hasOptions
    ? { request, options: { webhook, webhookEventsFilter, cancelAfterS } }
    : request;
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Stores the request as a queued prediction of the client and enqueues its job. A request that was stored is
 * accepted even when Redis is unavailable: the worker's recovery sweep enqueues it later, so
 * nothing accepted is lost.
 */
export async function submitPrediction(
  deps: PredictionDeps,
  request: TravellerRequest,
  options: {
    idempotencyKey?: string | undefined;
    clientId?: string | undefined;
    submission?: SubmissionOptions;
  } = {},
): Promise<Submission> {
  const { idempotencyKey, clientId } = options;
  const submission = normalizeOptions(options.submission ?? {});
  const hash = idempotencyKey === undefined ? undefined : requestHash(request, submission);
  const { prediction, created } = await acceptPrediction(deps.db, {
    id: randomUUID(),
    request: enrichRequest(request),
    idempotencyKey,
    requestHash: hash,
    clientId,
    webhook: submission.webhook,
    webhookEventsFilter: submission.webhookEventsFilter,
    cancelAfterS: submission.cancelAfterS,
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
