// The cancel transitions' statements: a client withdraws its prediction, or its deadline
// (cancel_after) passes. Which states they may start from is packages/predictions' rule, passed
// in as `from`. Each statement takes the row lock that the worker's claim and completion take
// too, so a prediction is either canceled or completed, never both.
import { UNFINISHED_STATUSES } from '@predictq/domain';

import type { Db } from './client';
import { PREDICTION_ENDED_CHANNEL, runPrepared } from './prepared';
import type { FromStates } from './prediction.repository';
import { sqlList } from './schema/columns';

const CANCEL_PREDICTION = `
  WITH canceled AS (
    UPDATE predictions SET status = 'canceled', error = $3, completed_at = now()
    WHERE id = $1 AND ($2::uuid IS NULL OR client_id = $2::uuid)
      AND status = ANY($4::prediction_status[])
    RETURNING id
  )
  SELECT id, pg_notify('${PREDICTION_ENDED_CHANNEL}', id::text) FROM canceled`;

/**
 * Ends the prediction canceled with the reason when its status is in `from` (and it belongs to
 * `clientId`, unless that is null: the operator). False when it did not (unknown, another
 * client's, or already ended).
 */
export async function cancelPredictionFrom(
  db: Db,
  id: string,
  clientId: string | null,
  reason: string,
  from: FromStates,
): Promise<boolean> {
  const rows = await runPrepared(db, 'cancel_prediction', CANCEL_PREDICTION, [
    id,
    clientId,
    reason,
    from,
  ]);
  return rows.length > 0;
}

// The partial index predictions_deadline_idx serves the inner select: its predicate is the
// literal list of unfinished states.
const CANCEL_OVERDUE = `
  WITH overdue AS (
    UPDATE predictions SET status = 'canceled', error = $2, completed_at = now()
    WHERE id IN (
      SELECT id FROM predictions
      WHERE cancel_at IS NOT NULL AND status IN ${sqlList(UNFINISHED_STATUSES)}
        AND cancel_at <= now()
      ORDER BY cancel_at LIMIT $1
      FOR UPDATE SKIP LOCKED
    ) AND status = ANY($3::prediction_status[])
    RETURNING id
  )
  SELECT id, pg_notify('${PREDICTION_ENDED_CHANNEL}', id::text) FROM overdue`;

/** Cancels up to `limit` predictions past their deadline; returns their ids. */
export async function cancelOverdueFrom(
  db: Db,
  limit: number,
  reason: string,
  from: FromStates,
): Promise<string[]> {
  const rows = await runPrepared<{ id: string }>(db, 'cancel_overdue', CANCEL_OVERDUE, [
    limit,
    reason,
    from,
  ]);
  return rows.map((r) => r.id);
}
