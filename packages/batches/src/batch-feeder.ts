// The batch feeder: hands batches' predictions to the queue from PostgreSQL, a window at a time,
// so a 1M-row batch is never 1M jobs in Redis. Each pass locks the running batches (FOR UPDATE
// SKIP LOCKED: several workers feed, never the same batch at once), counts each batch's window
// (its queued or processing predictions at rows up to fed_row), tops it up to window_size with
// the next rows in input order, and marks a batch completed when nothing of it is unfinished.
// Its state is PostgreSQL's (fed_row and the predictions' statuses), so it survives restarts.
// Now and then (and at once after Redis lost its data) it also checks the window's jobs: a lost
// job is enqueued again, a job that failed for good ends its prediction failed. The recovery
// sweep leaves batch predictions to it, so no pass ever rescans a whole batch. After the running
// batches, it ends canceled what canceled batches still hold queued (a large batch is canceled
// in chunks), up to 100,000 predictions a pass.
import {
  advanceFedRow,
  batchWindow,
  completeBatchIfDone,
  type Db,
  lockRunningBatches,
  nextBatchRows,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import { failPrediction, failureReason, finishBatchCancels } from '@predictq/predictions';
import {
  enqueueBatchPredictions,
  type InferenceQueue,
  removeStaleJobs,
  type RetryPolicy,
  triageJobs,
} from '@predictq/queue';

export interface FeederDeps {
  db: Db;
  queue: InferenceQueue;
  retry: RetryPolicy;
  logger: Logger;
}

export interface FeedResult {
  /** Running batches seen. */
  batches: number;
  /** Predictions enqueued this pass. */
  fed: number;
  /** Batch predictions queued or processing in the queue after this pass. */
  inFlight: number;
  completed: number;
  /** Jobs of the windows that the queue had lost and got again. */
  recovered: number;
  /** Queued predictions of canceled batches ended canceled this pass. */
  canceled: number;
}

/** One pass over the running batches (at most `maxBatches`, oldest first). */
export async function feedBatches(
  deps: FeederDeps,
  options: { maxBatches: number; checkWindows: boolean },
): Promise<FeedResult> {
  const result: FeedResult = {
    batches: 0,
    fed: 0,
    inFlight: 0,
    completed: 0,
    recovered: 0,
    canceled: 0,
  };
  const connection = await deps.db.$client.connect();
  try {
    await connection.query('BEGIN');
    const batches = await lockRunningBatches(connection, options.maxBatches);
    result.batches = batches.length;
    for (const batch of batches) {
      const window = await batchWindow(connection, batch.id, batch.fed_row);
      if (options.checkWindows && window.length > 0) {
        result.recovered += await recoverWindow(
          deps,
          window.map((p) => p.id),
        );
      }
      const free = batch.window_size - window.length;
      const next = free > 0 ? await nextBatchRows(connection, batch.id, batch.fed_row, free) : [];
      if (next.length > 0) {
        // Enqueued before fed_row moves: a crash in between enqueues them again (the job id dedups).
        await enqueueBatchPredictions(
          deps.queue,
          next.map((p) => p.id),
          deps.retry,
        );
        await advanceFedRow(connection, batch.id, next.at(-1)!.batch_row);
        result.fed += next.length;
      }
      result.inFlight += window.length + next.length;
      if (window.length === 0 && next.length === 0) {
        if (await completeBatchIfDone(connection, batch.id)) {
          result.completed += 1;
          deps.logger.info('batch completed', { batchId: batch.id });
        }
      }
    }
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
  result.canceled = await finishBatchCancels(deps.db, { maxRows: 100_000 });
  if (result.canceled > 0) {
    deps.logger.info('canceled batches: queued predictions ended', { canceled: result.canceled });
  }
  return result;
}

/** Checks the window's jobs: re-enqueues lost ones, fails those whose job failed for good. */
async function recoverWindow(deps: FeederDeps, ids: string[]): Promise<number> {
  const triage = await triageJobs(deps.queue, ids);
  const removed = await removeStaleJobs(deps.queue, triage.stale);
  const enqueue = [...triage.lost, ...removed];
  for (const { id, reason } of triage.failed) {
    try {
      await failPrediction(deps.db, id, failureReason(reason));
    } catch (error) {
      deps.logger.warn('batch feeder could not end a prediction failed', {
        predictionId: id,
        error: errorMessage(error),
      });
    }
  }
  await enqueueBatchPredictions(deps.queue, enqueue, deps.retry);
  if (enqueue.length > 0) {
    deps.logger.warn('re-enqueued batch predictions the queue had lost', {
      count: enqueue.length,
    });
  }
  return enqueue.length;
}
