// Feedback: the stay a group chose from a shown ranking, or none. With the prediction's
// shown_rank it labels the shown stays (1 chosen, 0 the others) for the next training set.
import type { PredictionStatus } from '@predictq/domain';
import { eq } from 'drizzle-orm';

import type { Db } from './client';
import { runPrepared } from './prepared';
import { ANONYMOUS_CLIENT_ID, feedback, type FeedbackRow } from './schema';
import { TurnBatcher } from './turn-batcher';

export type FeedbackResult =
  | { kind: 'recorded'; feedback: FeedbackRow }
  | { kind: 'prediction_not_found' }
  | { kind: 'not_ready'; status: PredictionStatus }
  | { kind: 'not_shown'; locationId: number }
  | { kind: 'duplicate'; feedback: FeedbackRow };

// Validation and the insert in one statement (atomic, one round trip) for many feedbacks: row n
// of the arrays is prediction $1[n], the chosen location $2[n] (null for "none fitted") and the
// client $3[n], whose predictions only it may label. The insert only happens for a succeeded
// prediction and a shown stay; ON CONFLICT makes a second feedback a no-op that the caller reports.
// A prediction appears at most once per statement (TurnBatcher's callers see to it).
const RECORD_FEEDBACKS = `
  WITH v AS (
    SELECT * FROM unnest($1::uuid[], $2::integer[], $3::uuid[]) WITH ORDINALITY
      AS v(prediction_id, location_id, client_id, n)
  ), target AS (
    SELECT v.n, v.location_id AS given, p.id, p.status, p.model_id, r.rank,
           r.rank <= p.shown_rank AS shown
    FROM v
    JOIN predictions p ON p.id = v.prediction_id AND p.client_id = v.client_id
    LEFT JOIN rankings r ON r.prediction_id = p.id AND r.location_id = v.location_id
  ), inserted AS (
    INSERT INTO feedback (prediction_id, outcome, location_id, chosen_rank, model_id)
    SELECT id, (CASE WHEN given IS NULL THEN 'none' ELSE 'chosen' END)::feedback_outcome,
           given, rank, model_id
    FROM target
    WHERE status = 'succeeded' AND (given IS NULL OR shown)
    ON CONFLICT (prediction_id) DO NOTHING
    RETURNING prediction_id, outcome, location_id, chosen_rank, model_id, created_at
  )
  SELECT t.n, t.status, t.rank, t.shown, i.prediction_id, i.outcome, i.location_id, i.chosen_rank,
         i.model_id, i.created_at
  FROM target t LEFT JOIN inserted i ON i.prediction_id = t.id`;

interface FeedbackStatementRow {
  n: string;
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

interface FeedbackInput {
  predictionId: string;
  locationId: number | null;
  clientId: string;
}

async function feedbackResult(
  db: Db,
  input: FeedbackInput,
  row: FeedbackStatementRow | undefined,
): Promise<FeedbackResult> {
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
  if (input.locationId !== null && row.shown !== true) {
    return { kind: 'not_shown', locationId: input.locationId };
  }
  const existing = await getFeedback(db, input.predictionId);
  if (!existing) throw new Error(`feedback for ${input.predictionId} was neither stored nor found`);
  return { kind: 'duplicate', feedback: existing };
}

async function recordFeedbacks(
  db: Db,
  inputs: readonly FeedbackInput[],
): Promise<FeedbackResult[]> {
  // Two feedbacks for one prediction in one statement would both see its single insert: a
  // prediction's later feedbacks go in a statement after it, as if they had come later.
  const ids = inputs.map((f) => f.predictionId);
  const seen = new Set<string>();
  const later = inputs.map((f) => {
    if (seen.has(f.predictionId)) return true;
    seen.add(f.predictionId);
    return false;
  });
  if (later.includes(true)) {
    const results: FeedbackResult[] = [];
    const first = await recordFeedbacks(
      db,
      inputs.filter((_, i) => !later[i]),
    );
    const rest = await recordFeedbacks(
      db,
      inputs.filter((_, i) => later[i]),
    );
    for (const isLater of later) results.push((isLater ? rest : first).shift()!);
    return results;
  }
  const rows = await runPrepared<FeedbackStatementRow>(db, 'record_feedbacks', RECORD_FEEDBACKS, [
    ids,
    inputs.map((f) => f.locationId),
    inputs.map((f) => f.clientId),
  ]);
  const byRow = new Map(rows.map((row) => [Number(row.n), row]));
  return Promise.all(inputs.map((input, i) => feedbackResult(db, input, byRow.get(i + 1))));
}

const feedbackBatcher = new TurnBatcher(recordFeedbacks);

/**
 * Records feedback once per prediction; `locationId` null means none of the stays fitted. Another
 * client's prediction is not found. The feedbacks of one turn of the event loop share one
 * statement (see TurnBatcher).
 */
export function recordFeedback(
  db: Db,
  predictionId: string,
  locationId: number | null,
  clientId: string = ANONYMOUS_CLIENT_ID,
): Promise<FeedbackResult> {
  return feedbackBatcher.submit(db, { predictionId, locationId, clientId });
}

export async function getFeedback(db: Db, predictionId: string): Promise<FeedbackRow | undefined> {
  const [row] = await db.select().from(feedback).where(eq(feedback.prediction_id, predictionId));
  return row;
}
