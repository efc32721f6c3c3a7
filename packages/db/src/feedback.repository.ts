// Feedback: the stay a group chose from a shown ranking, or none. With the prediction's
// shown_rank it labels the shown stays (1 chosen, 0 the others) for the next training set.
import type { PredictionStatus } from '@predictq/domain';
import { eq } from 'drizzle-orm';

import type { Db } from './client';
import { runPrepared } from './prepared';
import { ANONYMOUS_CLIENT_ID, feedback, type FeedbackRow } from './schema';

export type FeedbackResult =
  | { kind: 'recorded'; feedback: FeedbackRow }
  | { kind: 'prediction_not_found' }
  | { kind: 'not_ready'; status: PredictionStatus }
  | { kind: 'not_shown'; locationId: number }
  | { kind: 'duplicate'; feedback: FeedbackRow };

// Validation and the insert in one statement (atomic, one round trip). $2 is the chosen location,
// null for "none fitted"; $3 the client, whose predictions only it may label. The insert only happens for a succeeded prediction and a shown stay;
// ON CONFLICT makes a second feedback a no-op that the caller reports.
const RECORD_FEEDBACK = `
  WITH target AS (
    SELECT p.id, p.status, p.model_id, r.rank, r.rank <= p.shown_rank AS shown
    FROM predictions p
    LEFT JOIN rankings r ON r.prediction_id = p.id AND r.location_id = $2::integer
    WHERE p.id = $1 AND p.client_id = $3
  ), inserted AS (
    INSERT INTO feedback (prediction_id, outcome, location_id, chosen_rank, model_id)
    SELECT id, (CASE WHEN $2::integer IS NULL THEN 'none' ELSE 'chosen' END)::feedback_outcome,
           $2::integer, rank, model_id
    FROM target
    WHERE status = 'succeeded' AND ($2::integer IS NULL OR shown)
    ON CONFLICT (prediction_id) DO NOTHING
    RETURNING prediction_id, outcome, location_id, chosen_rank, model_id, created_at
  )
  SELECT t.status, t.rank, t.shown, i.prediction_id, i.outcome, i.location_id, i.chosen_rank,
         i.model_id, i.created_at
  FROM target t LEFT JOIN inserted i ON true`;

interface FeedbackStatementRow {
  status: PredictionStatus;
  rank: number | null;
  shown: boolean | null;
  prediction_id: string | null;
  outcome: FeedbackRow['outcome'] | null;
  location_id: number | null;
  chosen_rank: number | null;
  model_id: string | null;
  created_at: Date | null;
}

/**
 * Records feedback once per prediction; `locationId` null means none of the stays fitted. Another
 * client's prediction is not found.
 */
export async function recordFeedback(
  db: Db,
  predictionId: string,
  locationId: number | null,
  clientId: string = ANONYMOUS_CLIENT_ID,
): Promise<FeedbackResult> {
  const [row] = await runPrepared<FeedbackStatementRow>(db, 'record_feedback', RECORD_FEEDBACK, [
    predictionId,
    locationId,
    clientId,
  ]);
  if (!row) return { kind: 'prediction_not_found' };
  if (row.prediction_id !== null && row.outcome !== null && row.created_at !== null) {
    return {
      kind: 'recorded',
      feedback: {
        prediction_id: row.prediction_id,
        outcome: row.outcome,
        location_id: row.location_id,
        chosen_rank: row.chosen_rank,
        model_id: row.model_id,
        created_at: row.created_at,
      },
    };
  }
  if (row.status !== 'succeeded') return { kind: 'not_ready', status: row.status };
  if (locationId !== null && row.shown !== true) {
    return { kind: 'not_shown', locationId };
  }
  const existing = await getFeedback(db, predictionId);
  if (!existing) throw new Error(`feedback for ${predictionId} was neither stored nor found`);
  return { kind: 'duplicate', feedback: existing };
}

export async function getFeedback(db: Db, predictionId: string): Promise<FeedbackRow | undefined> {
  const [row] = await db.select().from(feedback).where(eq(feedback.prediction_id, predictionId));
  return row;
}
