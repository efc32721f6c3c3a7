// Training runs, the labelled rows they learn from, and their lineage.
import {
  enrichOncePer,
  type EnrichedRequest,
  type LocationFeatures,
  pickLocationFeatures,
  UNFINISHED_TRAINING_STATUSES,
} from '@predictq/domain';
import { and, eq, inArray, lt, sql } from 'drizzle-orm';

import type { Db, Queryable } from './client';
import { runPrepared } from './prepared';
import { trainingRuns, type TrainingRunRow } from './schema';

export async function createTrainingRun(
  db: Queryable,
  id: string,
  params: Record<string, unknown>,
): Promise<TrainingRunRow> {
  const [row] = await db.insert(trainingRuns).values({ id, params }).returning();
  if (!row) throw new Error('training run insert returned nothing');
  return row;
}

export async function getTrainingRun(
  db: Queryable,
  id: string,
): Promise<TrainingRunRow | undefined> {
  const [row] = await db.select().from(trainingRuns).where(eq(trainingRuns.id, id));
  return row;
}

/** Marks a run running (again, after a crash); undefined when it already ended or is unknown. */
export async function startTrainingRun(
  db: Queryable,
  id: string,
): Promise<TrainingRunRow | undefined> {
  const [row] = await db
    .update(trainingRuns)
    .set({ status: 'running', started_at: sql`now()`, progress: null })
    .where(and(eq(trainingRuns.id, id), inArray(trainingRuns.status, UNFINISHED_TRAINING_STATUSES)))
    .returning();
  return row;
}

/** Runs not ended, created before `createdBefore`: the training sweep's input (a handful). */
export async function findUnfinishedTrainingRuns(
  db: Queryable,
  createdBefore: Date,
): Promise<Pick<TrainingRunRow, 'id' | 'status'>[]> {
  return db
    .select({ id: trainingRuns.id, status: trainingRuns.status })
    .from(trainingRuns)
    .where(
      and(
        inArray(trainingRuns.status, UNFINISHED_TRAINING_STATUSES),
        lt(trainingRuns.created_at, createdBefore),
      ),
    )
    .orderBy(trainingRuns.created_at);
}

export async function updateTrainingProgress(
  db: Queryable,
  id: string,
  progress: unknown,
): Promise<void> {
  await db.update(trainingRuns).set({ progress }).where(eq(trainingRuns.id, id));
}

export async function finishTrainingRun(
  db: Queryable,
  id: string,
  outcome: { status: 'succeeded' | 'failed'; result?: unknown; modelId?: string; error?: string },
): Promise<void> {
  await db
    .update(trainingRuns)
    .set({
      status: outcome.status,
      result: outcome.result ?? null,
      model_id: outcome.modelId ?? null,
      error: outcome.error ?? null,
      completed_at: sql`now()`,
    })
    .where(
      and(eq(trainingRuns.id, id), inArray(trainingRuns.status, UNFINISHED_TRAINING_STATUSES)),
    );
}

/**
 * One shown stay with its label (1 chosen, 0 shown and not chosen), its request (with the profile
 * the client declared, if any) and features, when the feedback came (recency weights) and which
 * model served the prediction (its online record, for the promotion rule).
 */
export interface LabelledFeedbackRow {
  prediction_id: string;
  location_id: number;
  label: 0 | 1;
  request: EnrichedRequest;
  location: LocationFeatures;
  feedback_at: Date;
  model_id: string | null;
}

// Shown stays of predictions that got feedback, most recent feedback first; a prediction's rows
// stay together (ordered by rank) so the caller can cut at a prediction boundary.
const LABELLED_ROWS = `
  SELECT p.id AS prediction_id, r.location_id,
         CASE WHEN f.location_id = r.location_id THEN 1 ELSE 0 END AS label,
         f.created_at AS feedback_at, p.model_id,
         p.people_num, p.people_age, p.children_num, p.budget, p.nights,
         to_char(p.time_arrival, 'YYYY-MM-DD') AS time_arrival, p.pool, p.spa, p.pet_friendly,
         p.lake, p.mountain, p.sport, p.profile,
         l.children, l.breakfast, l.lunch, l.dinner, l.price, l.has_pool, l.has_spa, l.animals,
         l.near_lake, l.near_mountains, l.has_sport, l.family_rating, l.outdoor_rating,
         l.food_rating, l.leisure_rating, l.service_rating, l.user_score
  FROM feedback f
  JOIN predictions p ON p.id = f.prediction_id
  JOIN rankings r ON r.prediction_id = p.id AND r.rank <= p.shown_rank
  JOIN locations l ON l.id = r.location_id
  ORDER BY f.created_at DESC, p.id, r.rank
  LIMIT $1`;

type FlatRow = Record<string, unknown> & {
  prediction_id: string;
  location_id: number;
  label: 0 | 1;
  feedback_at: Date;
  model_id: string | null;
};

/**
 * The most recent labelled rows, at most `maxRows`, never splitting a prediction's rows. Rows of
 * one prediction share one request object.
 */
export async function loadLabelledRows(db: Db, maxRows: number): Promise<LabelledFeedbackRow[]> {
  // One row more than asked tells whether the last prediction was cut.
  const flat = await runPrepared<FlatRow>(db, 'labelled_rows', LABELLED_ROWS, [maxRows + 1]);
  if (flat.length > maxRows) {
    const cut = (flat[maxRows] as FlatRow).prediction_id;
    while (flat.length > 0 && (flat.at(-1) as FlatRow).prediction_id === cut) flat.pop();
  }
  const requestOf = enrichOncePer<string>();
  return flat.map((row) => ({
    prediction_id: row.prediction_id,
    location_id: row.location_id,
    label: row.label,
    request: requestOf(row.prediction_id, row),
    location: pickLocationFeatures(row),
    feedback_at: row.feedback_at,
    model_id: row.model_id,
  }));
}

export interface LineageRow {
  predictionId: string;
  locationId: number;
  label: number;
  split: 'train' | 'holdout';
}

/** Records every row a run used, and on which side of the split. */
export async function recordLineage(
  db: Queryable,
  runId: string,
  rows: readonly LineageRow[],
): Promise<void> {
  const chunk = 5_000;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await db.execute(sql`
      insert into training_examples (training_run_id, prediction_id, location_id, label, split)
      select ${runId}::uuid, * from unnest(
        ${sql.param(part.map((r) => r.predictionId))}::uuid[],
        ${sql.param(part.map((r) => r.locationId))}::integer[],
        ${sql.param(part.map((r) => r.label))}::smallint[],
        ${sql.param(part.map((r) => r.split))}::training_split[])
      on conflict do nothing`);
  }
}

/** How many rows a run used, per split and label. */
export async function lineageSummary(
  db: Queryable,
  runId: string,
): Promise<{ split: string; rows: number; positives: number; predictions: number }[]> {
  const result = await db.execute<{
    split: string;
    rows: number;
    positives: number;
    predictions: number;
  }>(sql`
    select split, count(*)::int as rows, sum(label)::int as positives,
           count(distinct prediction_id)::int as predictions
    from training_examples where training_run_id = ${runId} group by split order by split`);
  return result.rows;
}
