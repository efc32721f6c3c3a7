// The recovery sweep of training runs, as for predictions: a run PostgreSQL holds as queued or
// running whose job the queue lost (Redis lost its data) is enqueued again, and one whose job
// failed for good without the run being marked (its worker crashed at the wrong moment) is ended
// failed with the job's reason. A run restarted this way trains from scratch.
import { type Db, findUnfinishedTrainingRuns, finishTrainingRun } from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import { enqueueTraining, removeStaleJobs, type TrainingQueue, triageJobs } from '@predictq/queue';

export interface TrainingSweepResult {
  checked: number;
  reenqueued: number;
  failed: number;
  errors: number;
}

export async function recoverTrainingRuns(
  deps: { db: Db; queue: TrainingQueue; logger: Logger },
  options: { olderThanMs: number },
): Promise<TrainingSweepResult> {
  const runs = await findUnfinishedTrainingRuns(
    deps.db,
    new Date(Date.now() - options.olderThanMs),
  );
  const result: TrainingSweepResult = { checked: runs.length, reenqueued: 0, failed: 0, errors: 0 };
  if (runs.length === 0) return result;
  const triage = await triageJobs(
    deps.queue,
    runs.map((run) => run.id),
  );
  result.errors += triage.errors;
  const removed = await removeStaleJobs(deps.queue, triage.stale);
  for (const id of [...triage.lost, ...removed]) {
    try {
      await enqueueTraining(deps.queue, id);
      result.reenqueued += 1;
      deps.logger.warn('re-enqueued a training run the queue had lost', { trainingRunId: id });
    } catch (error) {
      result.errors += 1;
      deps.logger.warn('could not re-enqueue a training run', {
        trainingRunId: id,
        error: errorMessage(error),
      });
    }
  }
  for (const { id, reason } of triage.failed) {
    await finishTrainingRun(deps.db, id, { status: 'failed', error: reason });
    result.failed += 1;
  }
  return result;
}
