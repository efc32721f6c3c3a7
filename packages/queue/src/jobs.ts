// The job contract: for each queue a name, a payload schema and default options. Payloads carry
// ids only; PostgreSQL holds the data and the outcome.
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

export const QUEUES = {
  inference: 'inference',
  training: 'training',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  scorePrediction: 'score-prediction',
  trainModel: 'train-model',
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
