// Feedback on a batch's rows, a chunk of a feedback file at a time: each line names a prediction
// of the batch (by prediction_id or by row) and the chosen stay. One statement per chunk resolves
// the lines, records the feedback that the per-prediction rules allow (a succeeded prediction, a
// shown stay, one feedback per prediction) and says, line by line, what it found.
import type { FeedbackOutcome, PredictionStatus } from '@predictq/domain';

import type { Db } from './client';

export interface BatchFeedbackLine {
  /** The line's data row in the feedback file (for the report). */
  line: number;
  predictionId: string | null;
  batchRow: number | null;
  /** null: none of the stays fitted. */
  locationId: number | null;
}

export interface BatchFeedbackOutcome {
  line: number;
  /** The prediction the line named; null when the batch has none such. */
  predictionId: string | null;
  /** Its row in the batch (to tell a line whose row and prediction_id disagree). */
  batchRow: number | null;
  status: PredictionStatus | null;
  /** Whether the chosen stay was among the shown ones (null for none fitted or unresolved). */
  shown: boolean | null;
  /** Recorded by this statement: its outcome and the model that ranked it. */
  recorded: { outcome: FeedbackOutcome; modelId: string | null } | null;
}

// The lines are resolved by the primary key (prediction_id) or predictions_batch_row_key (row),
// never a scan of the batch. Of the lines that name one prediction, the first that the rules
// allow is recorded (DISTINCT ON); the caller reports the others as repeats.
const RECORD_BATCH_FEEDBACK = `
  WITH input AS (
    SELECT * FROM unnest($2::int[], $3::uuid[], $4::int[], $5::int[])
      AS i(line, prediction_id, batch_row, location_id)
  ), target AS (
    SELECT i.line, i.location_id, i.batch_row AS asked_row, p.id, p.batch_row, p.status,
      p.model_id, r.rank,
      r.rank <= p.shown_rank AS shown
    FROM input i
    LEFT JOIN LATERAL (
      SELECT q.id, q.batch_row, q.status, q.model_id, q.shown_rank FROM predictions q
      WHERE i.prediction_id IS NOT NULL AND q.id = i.prediction_id AND q.batch_id = $1
      UNION ALL
      SELECT q.id, q.batch_row, q.status, q.model_id, q.shown_rank FROM predictions q
      WHERE i.prediction_id IS NULL AND q.batch_id = $1 AND q.batch_row = i.batch_row
    ) p ON true
    LEFT JOIN rankings r ON r.prediction_id = p.id AND r.location_id = i.location_id
  ), chosen AS (
    SELECT DISTINCT ON (id) id, line, location_id, rank, model_id
    FROM target
    WHERE id IS NOT NULL AND status = 'succeeded' AND (location_id IS NULL OR shown)
      AND (asked_row IS NULL OR asked_row = batch_row)
    ORDER BY id, line
  ), inserted AS (
    INSERT INTO feedback (prediction_id, outcome, location_id, chosen_rank, model_id)
    SELECT id, (CASE WHEN location_id IS NULL THEN 'none' ELSE 'chosen' END)::feedback_outcome,
      location_id, rank, model_id
    FROM chosen
    ON CONFLICT (prediction_id) DO NOTHING
    RETURNING prediction_id, outcome, model_id
  )
  SELECT t.line, t.id, t.batch_row, t.status, t.shown, i.outcome, i.model_id,
    i.prediction_id IS NOT NULL AND c.line = t.line AS recorded
  FROM target t
  LEFT JOIN chosen c ON c.id = t.id
  LEFT JOIN inserted i ON i.prediction_id = t.id
  ORDER BY t.line`;

interface Row {
  line: number;
  id: string | null;
  batch_row: number | null;
  status: PredictionStatus | null;
  shown: boolean | null;
  outcome: FeedbackOutcome | null;
  model_id: string | null;
  recorded: boolean;
}

/** Records what it may of the lines (one statement) and returns each line's outcome, in order. */
export async function recordBatchFeedback(
  db: Db,
  batchId: string,
  lines: readonly BatchFeedbackLine[],
): Promise<BatchFeedbackOutcome[]> {
  if (lines.length === 0) return [];
  const result = await db.$client.query<Row>(RECORD_BATCH_FEEDBACK, [
    batchId,
    lines.map((l) => l.line),
    lines.map((l) => l.predictionId),
    lines.map((l) => l.batchRow),
    lines.map((l) => l.locationId),
  ]);
  return result.rows.map((row) => ({
    line: row.line,
    predictionId: row.id,
    batchRow: row.batch_row,
    status: row.status,
    shown: row.shown,
    recorded:
      row.recorded && row.outcome !== null ? { outcome: row.outcome, modelId: row.model_id } : null,
  }));
}
