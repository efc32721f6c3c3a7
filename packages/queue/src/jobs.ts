// The job contract: for each queue a name, a payload schema and default options. Payloads carry
// ids only; PostgreSQL holds the data and the outcome.
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

export const QUEUES = {
  inference: 'inference',
  training: 'training',
  /** Webhook deliveries: their own queue and workers, so a slow receiver delays no scoring. */
  webhook: 'webhook',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  scorePrediction: 'score-prediction',
  trainModel: 'train-model',
  deliverWebhook: 'deliver-webhook',
} as const;

export const scorePredictionPayload = z.object({
  predictionId: z.uuid(),
  /**
   * Times a worker started scoring this job alone (after it had stalled) and did not live to
   * finish: how a poison prediction is told from one that was merely in hand when a worker died.
   */
  soloCrashes: z.number().int().min(0).optional(),
});
export type ScorePredictionPayload = z.infer<typeof scorePredictionPayload>;

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** First retry delay; later ones double, with jitter. */
  backoffMs: number;
}

export const DEFAULT_INFERENCE_RETRY: RetryPolicy = { attempts: 3, backoffMs: 1_000 };

/**
 * Options for a prediction's job. The job id is the prediction id, so enqueueing twice (an
 * idempotent retry, the recovery sweep) never creates a second job while the first exists.
 */
export function scorePredictionOptions(
  predictionId: string,
  retry: RetryPolicy = DEFAULT_INFERENCE_RETRY,
): JobsOptions {
  return {
    jobId: predictionId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    // Completed jobs matter only briefly (the outcome lives in PostgreSQL); failed ones are kept
    // a week for inspection.
    removeOnComplete: { age: 600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export const trainModelPayload = z.object({ trainingRunId: z.uuid() });
export type TrainModelPayload = z.infer<typeof trainModelPayload>;

/**
 * Options for a training run's job: one attempt (a failed run is reported and the operator starts
 * another; a worker crash still hands the job to another worker, as a stalled job).
 */
export function trainModelOptions(trainingRunId: string): JobsOptions {
  return {
    jobId: trainingRunId,
    attempts: 1,
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

export const deliverWebhookPayload = z.object({ deliveryId: z.uuid() });
export type DeliverWebhookPayload = z.infer<typeof deliverWebhookPayload>;

export interface WebhookRetryPolicy {
  /** Tries in all; after the last the delivery is dead-lettered (failed, kept in the log). */
  attempts: number;
  /** First retry delay; later ones double, with jitter (12 tries from 20 s: about a day). */
  backoffMs: number;
}

/**
 * A delivery's job for one round (a redelivery is a new round): the id dedups a re-enqueue of a
 * round whose job still exists. Failed jobs are kept a while for inspection; the log of
 * attempts lives in PostgreSQL.
 */
export function deliverWebhookOptions(
  deliveryId: string,
  round: number,
  retry: WebhookRetryPolicy,
): JobsOptions {
  return {
    jobId: `${deliveryId}-r${round}`,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
