// The producer side of the inference queue.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import {
  DEFAULT_INFERENCE_RETRY,
  JOBS,
  QUEUES,
  type RetryPolicy,
  scorePredictionOptions,
  type ScorePredictionPayload,
} from './jobs';

export type InferenceQueue = Queue<ScorePredictionPayload, void, typeof JOBS.scorePrediction>;

export function createInferenceQueue(connection: Redis, prefix: string): InferenceQueue {
  return new Queue(QUEUES.inference, { connection, prefix });
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
