// The recovery sweep: PostgreSQL knows every accepted prediction, so any that is still unfinished
// long after it was accepted, and whose job the queue no longer has, is enqueued again (or ended
// failed when its job ended failed but the prediction was never marked).
import { type Db, failPrediction, findUnfinished } from '@predictq/db';
import { enqueuePrediction } from '@predictq/queue';

import type { PredictionDeps } from './submit-prediction';

export interface SweepResult {
  checked: number;
  reenqueued: number;
  failed: number;
}

export async function recoverUnfinished(
  deps: PredictionDeps & { db: Db },
  options: { olderThanMs: number; limit: number },
): Promise<SweepResult> {
  const stale = await findUnfinished(
    deps.db,
    new Date(Date.now() - options.olderThanMs),
    options.limit,
  );
  const result: SweepResult = { checked: stale.length, reenqueued: 0, failed: 0 };
  for (const prediction of stale) {
    const job = await deps.queue.getJob(prediction.id);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'unknown' || state === 'completed') {
      // Lost (never enqueued, or removed) or completed without a terminal row: score it again.
      if (job && state === 'completed') await job.remove();
      await enqueuePrediction(deps.queue, prediction.id, deps.retry);
      result.reenqueued += 1;
      deps.logger.warn('re-enqueued a prediction the queue had lost', {
        predictionId: prediction.id,
        status: prediction.status,
        jobState: state,
      });
    } else if (state === 'failed') {
      const reason = job?.failedReason || 'job failed';
      if (await failPrediction(deps.db, prediction.id, reason)) result.failed += 1;
    }
  }
  return result;
}
