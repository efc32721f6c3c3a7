// The BullMQ worker of the training queue: one run at a time; the CPU-heavy part runs in a
// worker thread (see @predictq/training), so inference keeps its event loop. A run refused for
// lack of labels is not retried.
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { errorMessage, withLogContext } from '@predictq/logging';
import { QUEUES, trainModelPayload, type TrainModelPayload } from '@predictq/queue';
import {
  runTraining,
  type TrainingDeps,
  TrainingRefused,
  type TrainingResult,
} from '@predictq/training';

export function createTrainingWorker(
  deps: TrainingDeps,
  options: { connection: Redis; prefix: string },
): Worker<TrainModelPayload> {
  const processor = async (job: Job<TrainModelPayload>): Promise<TrainingResult | null> => {
    const payload = trainModelPayload.safeParse(job.data);
    if (!payload.success)
      throw new UnrecoverableError(`invalid job payload: ${payload.error.message}`);
    const { trainingRunId } = payload.data;
    return withLogContext({ jobId: job.id, trainingRunId }, async () => {
      deps.logger.info('training run started');
      try {
        const result = await runTraining(
          { ...deps, onProgress: (progress) => void job.updateProgress(progress) },
          trainingRunId,
        );
        return result ?? null;
      } catch (error) {
        deps.logger.warn('training run failed', { error: errorMessage(error) });
        if (error instanceof TrainingRefused) throw new UnrecoverableError(error.message);
        throw error;
      }
    });
  };
  const worker = new Worker<TrainModelPayload, TrainingResult | null>(QUEUES.training, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 1,
    autorun: false,
  });
  worker.on('error', (error) =>
    deps.logger.error('training worker error', { error: error.message }),
  );
  return worker;
}
