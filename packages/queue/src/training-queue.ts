// The producer side of the training queue.
import { Queue } from 'bullmq';

import type { RedisConnection } from './connection';
import { JOBS, QUEUES, trainModelOptions, type TrainModelPayload } from './jobs';
import { queuePrefix } from './keys';

export type TrainingQueue = Queue<TrainModelPayload, void, typeof JOBS.trainModel>;

export function createTrainingQueue(connection: RedisConnection, prefix: string): TrainingQueue {
  return new Queue(QUEUES.training, { connection, prefix: queuePrefix(prefix, QUEUES.training) });
}

export async function enqueueTraining(queue: TrainingQueue, trainingRunId: string): Promise<void> {
  await queue.add(JOBS.trainModel, { trainingRunId }, trainModelOptions(trainingRunId));
}
