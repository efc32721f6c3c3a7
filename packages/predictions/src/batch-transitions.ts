// The transitions of a batch's predictions, through the one owner of a prediction's state: they
// are accepted queued (in the batch's acceptance transaction), and a batch cancel ends those still
// queued canceled. A processing one is left to finish: cancelling it would race its completion.
// A large batch is canceled in chunks: the first with the batch, the rest by the batch feeder.
import { cancelBatchFrom, cancelRestOfCanceledBatchesFrom, type Db } from '@predictq/db';
import type { PredictionStatus } from '@predictq/domain';

import { canTransition, PREDICTION_TRANSITIONS } from './prediction-lifecycle';

const BATCH_CANCEL_FROM = ['queued'] as const satisfies readonly PredictionStatus[];

/** The status a batch's predictions are stored with. */
export const BATCH_ACCEPTED_STATUS = PREDICTION_TRANSITIONS.accept.to;

/**
 * Cancels a running batch of the client (every client's batch when clientId is undefined): its
 * queued predictions end canceled. Returns their ids, or undefined when the batch is not running.
 */
export function cancelBatchPredictions(
  db: Db,
  batchId: string,
  clientId: string | undefined,
  chunk?: number,
): Promise<string[] | undefined> {
  const from = BATCH_CANCEL_FROM.filter((status) => canTransition('cancel', status));
  return cancelBatchFrom(db, batchId, clientId, from, chunk);
}

/**
 * Ends canceled the queued predictions that canceled batches still have (a large batch's rows
 * past its cancel's first chunk, or a cancel cut short by a crash), at most `maxRows` a call.
 * Returns how many ended.
 */
export function finishBatchCancels(
  db: Db,
  options: { chunk?: number; maxRows?: number } = {},
): Promise<number> {
  const from = BATCH_CANCEL_FROM.filter((status) => canTransition('cancel', status));
  return cancelRestOfCanceledBatchesFrom(db, from, options);
}
