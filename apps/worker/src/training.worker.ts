// The BullMQ worker of the training queue: one run at a time; the CPU-heavy part runs in a
// worker thread (see @predictq/training), so inference keeps its event loop. A run refused for
// lack of labels is not retried; a run that met a database outage is put back, not failed.
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { errorMessage, withLogContext } from '@predictq/logging';
import {
  QUEUES,
  queuePrefix,
  type RedisConnection,
  trainModelPayload,
  type TrainModelPayload,
} from '@predictq/queue';
import {
  runTraining,
  type TrainingDeps,
  TrainingRefused,
  type TrainingResult,
} from '@predictq/training';

import type { AfterTraining } from './after-training';
import { deferJob, outageOf } from './inference.worker';

export function createTrainingWorker(
  deps: TrainingDeps,
  options: {
    connection: RedisConnection;
    prefix: string;
    outageDelayMs: number;
    maxStalledCount: number;
    /** Called once a run ended with a result (where the rollout starts); never fails the job. */
    afterTraining?: AfterTraining;
  },
): Worker<TrainModelPayload> {
  const processor = async (
    job: Job<TrainModelPayload>,
    token?: string,
  ): Promise<TrainingResult | null> => {
    const payload = trainModelPayload.safeParse(job.data);
    if (!payload.success)
      throw new UnrecoverableError(`invalid job payload: ${payload.error.message}`);
    const { trainingRunId } = payload.data;
    return withLogContext({ jobId: job.id, trainingRunId }, async () => {
      deps.logger.info('training run started');
      try {
        const result = await runTraining(
          {
            ...deps,
            // Progress in the job is a courtesy (it lives in PostgreSQL): a Redis outage must
            // not turn into an unhandled rejection.
            onProgress: (progress) => void job.updateProgress(progress).catch(() => undefined),
          },
          trainingRunId,
        );
        if (result && options.afterTraining) {
          await options
            .afterTraining(trainingRunId, result)
            .catch((error: unknown) =>
              deps.logger.error('after-training step failed', { error: errorMessage(error) }),
            );
        }
        return result ?? null;
      } catch (error) {
        if (outageOf(error)) {
          deps.logger.warn('training run met an outage; it will be taken again', {
            error: errorMessage(error),
          });
          throw await deferJob(job, token, options.outageDelayMs);
        }
        deps.logger.warn('training run failed', { error: errorMessage(error) });
        if (error instanceof TrainingRefused) throw new UnrecoverableError(error.message);
        throw error;
      }
    });
  };
  const worker = new Worker<TrainModelPayload, TrainingResult | null>(QUEUES.training, processor, {
    connection: options.connection,
    prefix: queuePrefix(options.prefix, QUEUES.training),
    concurrency: 1,
    maxStalledCount: options.maxStalledCount,
    autorun: false,
  });
  worker.on('error', (error) =>
    deps.logger.error('training worker error', { error: error.message }),
  );
  return worker;
}
