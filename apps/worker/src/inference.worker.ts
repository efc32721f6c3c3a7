// The BullMQ worker of the inference queue. Each job hands its prediction id to the micro-batcher
// and waits for its own outcome; a final failure marks the prediction failed with the reason
// and is rethrown, so that BullMQ records it too.
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Db, failPrediction } from '@predictq/db';
import { type JobOutcome, type MicroBatcher, PermanentError } from '@predictq/inference';
import { errorMessage, type Logger, withLogContext } from '@predictq/logging';
import type { WorkerMetrics } from '@predictq/metrics';
import { QUEUES, scorePredictionPayload, type ScorePredictionPayload } from '@predictq/queue';

export interface InferenceWorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export function createInferenceWorker(
  deps: {
    db: Db;
    batcher: MicroBatcher<string, JobOutcome>;
    logger: Logger;
    metrics: WorkerMetrics;
  },
  options: InferenceWorkerOptions,
): Worker<ScorePredictionPayload> {
  const { db, batcher, logger, metrics } = deps;
  const queue = QUEUES.inference;

  const record = (outcome: JobOutcome): void => {
    if (outcome.kind !== 'succeeded') return;
    const model_version = String(outcome.modelVersion);
    metrics.predictionsCompleted.inc({ status: 'succeeded', model_version });
    metrics.topScore.observe({ model_version }, outcome.topScore);
  };

  const processor = async (job: Job<ScorePredictionPayload>): Promise<JobOutcome> => {
    const payload = scorePredictionPayload.safeParse(job.data);
    if (!payload.success)
      throw new UnrecoverableError(`invalid job payload: ${payload.error.message}`);
    const { predictionId } = payload.data;
    metrics.queueWait.observe({ queue }, ((job.processedOn ?? Date.now()) - job.timestamp) / 1000);
    const stop = metrics.jobDuration.startTimer({ queue });
    return withLogContext({ jobId: job.id, predictionId }, async () => {
      try {
        const outcome = await batcher.submit(predictionId);
        stop({ outcome: outcome.kind });
        record(outcome);
        return outcome;
      } catch (error) {
        const permanent = error instanceof PermanentError;
        const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        stop({ outcome: final ? 'failed' : 'retried' });
        if (final) {
          metrics.predictionsCompleted.inc({ status: 'failed', model_version: 'none' });
          await failPrediction(db, predictionId, errorMessage(error));
          logger.warn('prediction failed', {
            error: errorMessage(error),
            attempts: job.attemptsMade + 1,
          });
        } else {
          logger.info('prediction attempt failed; will retry', { error: errorMessage(error) });
        }
        throw permanent ? new UnrecoverableError(errorMessage(error)) : error;
      }
    });
  };

  const worker = new Worker<ScorePredictionPayload, JobOutcome>(queue, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    autorun: false,
  });
  worker.on('error', (error) => logger.error('inference worker error', { error: error.message }));
  return worker;
}
