// Canceling a prediction: the state changes through the lifecycle (prediction-lifecycle.ts);
// a queued job is then removed from the queue. A job that a worker holds cannot be removed: its
// completion finds the prediction canceled and stores nothing (the claim skips it likewise).
import { getPrediction } from '@predictq/db';
import type { PredictionStatus } from '@predictq/domain';
import { errorMessage } from '@predictq/logging';

import { cancelOverdue, cancelPrediction } from './prediction-lifecycle';
import type { PredictionDeps } from './submit-prediction';

export type CancelOutcome =
  { kind: 'canceled' } | { kind: 'not_found' } | { kind: 'ended'; status: PredictionStatus };

async function removeJobs(deps: PredictionDeps, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    // An active (locked) job is not removed; a missing one is fine. Redis being away is fine
    // too: the job, when it runs, finds the prediction canceled.
    await deps.queue.remove(id).catch((error: unknown) =>
      deps.logger.debug('could not remove the job of a canceled prediction', {
        predictionId: id,
        error: errorMessage(error),
      }),
    );
  }
}

/** The caller (null: the operator) cancels its prediction. */
export async function cancelByCaller(
  deps: PredictionDeps,
  id: string,
  clientId: string | null,
): Promise<CancelOutcome> {
  if (await cancelPrediction(deps.db, id, clientId)) {
    await removeJobs(deps, [id]);
    return { kind: 'canceled' };
  }
  const row = await getPrediction(deps.db, id);
  if (!row || (clientId !== null && row.client_id !== clientId)) return { kind: 'not_found' };
  return { kind: 'ended', status: row.status };
}

/** One pass of the deadline loop: cancels overdue predictions, page by page. */
export async function cancelOverduePredictions(
  deps: PredictionDeps,
  pageSize = 500,
): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await cancelOverdue(deps.db, pageSize);
    total += ids.length;
    await removeJobs(deps, ids);
    if (ids.length < pageSize) return total;
  }
}
