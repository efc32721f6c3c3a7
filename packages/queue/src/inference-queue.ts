// The producer side of the inference queue.
import { Queue } from 'bullmq';

import type { RedisConnection } from './connection';
import {
  DEFAULT_INFERENCE_RETRY,
  JOBS,
  QUEUES,
  type RetryPolicy,
  scorePredictionOptions,
  type ScorePredictionPayload,
} from './jobs';
import { queuePrefix } from './keys';

export type InferenceQueue = Queue<ScorePredictionPayload, void, typeof JOBS.scorePrediction>;

export function createInferenceQueue(connection: RedisConnection, prefix: string): InferenceQueue {
  return new Queue(QUEUES.inference, {
    connection,
    prefix: queuePrefix(prefix, QUEUES.inference),
  });
}

export async function enqueuePrediction(
  queue: InferenceQueue,
  predictionId: string,
  retry: RetryPolicy = DEFAULT_INFERENCE_RETRY,
): Promise<void> {
  await queue.add(
    JOBS.scorePrediction,
    { predictionId },
    scorePredictionOptions(predictionId, retry),
  );
}

/** Enqueues many predictions in one round trip; ids that already have a job are left alone. */
export async function enqueuePredictions(
  queue: InferenceQueue,
  predictionIds: readonly string[],
  retry: RetryPolicy = DEFAULT_INFERENCE_RETRY,
): Promise<void> {
  if (predictionIds.length === 0) return;
  await queue.addBulk(
    predictionIds.map((predictionId) => ({
      name: JOBS.scorePrediction,
      data: { predictionId },
      opts: scorePredictionOptions(predictionId, retry),
    })),
  );
}
