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

interface Waiting {
  predictionId: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Per queue and retry policy, the enqueues asked for in this turn of the event loop. */
const batches = new WeakMap<InferenceQueue, Map<RetryPolicy, Waiting[]>>();

/**
 * Enqueues a prediction's job. The enqueues of concurrent submissions in one turn of the event
 * loop share one round trip to Redis (one addBulk); each caller's promise settles with it. Redis
 * failing fails them alike (a Redis error is never one job's fault), and each caller then handles
 * it as before.
 */
export function enqueuePrediction(
  queue: InferenceQueue,
  predictionId: string,
  retry: RetryPolicy = DEFAULT_INFERENCE_RETRY,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let byRetry = batches.get(queue);
    if (!byRetry) {
      byRetry = new Map();
      batches.set(queue, byRetry);
      setImmediate(() => {
        batches.delete(queue);
        for (const [policy, waiting] of byRetry!) void sendBatch(queue, waiting, policy);
      });
    }
    const waiting = byRetry.get(retry) ?? [];
    waiting.push({ predictionId, resolve, reject });
    byRetry.set(retry, waiting);
  });
}

async function sendBatch(
  queue: InferenceQueue,
  waiting: readonly Waiting[],
  retry: RetryPolicy,
): Promise<void> {
  try {
    if (waiting.length === 1) {
      const { predictionId } = waiting[0]!;
      await queue.add(
        JOBS.scorePrediction,
        { predictionId },
        scorePredictionOptions(predictionId, retry),
      );
    } else {
      await enqueuePredictions(
        queue,
        waiting.map((w) => w.predictionId),
        retry,
      );
    }
    for (const w of waiting) w.resolve();
  } catch (error) {
    for (const w of waiting) w.reject(error);
  }
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
