// Jobs of batch predictions: ordinary score-prediction jobs (the same worker, micro-batches,
// poison and outage rules) with a BullMQ priority. BullMQ serves its wait list, where interactive
// jobs go, before its prioritized set, so batch work always runs below interactive requests; the
// batch feeder keeps at most a window of each batch in the queue.
import { JOBS, type RetryPolicy, scorePredictionOptions } from './jobs';
import type { InferenceQueue } from './inference-queue';

/** The priority of batch jobs (any value > 0 puts them behind the interactive wait list). */
export const BATCH_JOB_PRIORITY = 10;

/** Enqueues batch predictions in one round trip; ids that already have a job are left alone. */
export async function enqueueBatchPredictions(
  queue: InferenceQueue,
  predictionIds: readonly string[],
  retry: RetryPolicy,
): Promise<void> {
  if (predictionIds.length === 0) return;
  await queue.addBulk(
    predictionIds.map((predictionId) => ({
      name: JOBS.scorePrediction,
      data: { predictionId },
      opts: { ...scorePredictionOptions(predictionId, retry), priority: BATCH_JOB_PRIORITY },
    })),
  );
}

/** Whether a score-prediction job is a batch row's (by its priority). */
export const isBatchJob = (job: { opts: { priority?: number | undefined } }): boolean =>
  (job.opts.priority ?? 0) >= BATCH_JOB_PRIORITY;
