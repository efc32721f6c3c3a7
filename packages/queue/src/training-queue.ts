// The producer side of the training queue.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { JOBS, QUEUES, trainModelOptions, type TrainModelPayload } from './jobs';

export type TrainingQueue = Queue<TrainModelPayload, void, typeof JOBS.trainModel>;

export function createTrainingQueue(connection: Redis, prefix: string): TrainingQueue {
  return new Queue(QUEUES.training, { connection, prefix });
}

export async function enqueueTraining(queue: TrainingQueue, trainingRunId: string): Promise<void> {
  await queue.add(JOBS.trainModel, { trainingRunId }, trainModelOptions(trainingRunId));
}
