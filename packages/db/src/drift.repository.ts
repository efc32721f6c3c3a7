// Reads of the input-drift statistic and the retraining policy: the features of recent requests
// (a bounded, index-ordered window), the requests a training run was fitted on (its lineage),
// the histograms cached on a model, and how much feedback arrived since a time.
import { UNFINISHED_TRAINING_STATUSES } from '@predictq/domain';
import { sql } from 'drizzle-orm';

import type { Db, Queryable } from './client';
import { runPrepared } from './prepared';
import { sqlList } from './schema/columns';

/** The request features the drift statistic watches, as numbers (booleans 0/1). */
const DRIFT_COLUMNS = `people_num::float8 AS people_num, children_num::float8 AS children_num,
  budget, nights::float8 AS nights, age_avg, age_min::float8 AS age_min,
  age_max::float8 AS age_max, pool::int AS pool, spa::int AS spa,
  pet_friendly::int AS pet_friendly, lake::int AS lake, mountain::int AS mountain,
  sport::int AS sport`;

/** One request's drift features by column name. */
export type RequestFeatureRow = Record<string, number>;

// The newest requests first, from predictions_created_at_idx read backwards: the scan stops
// after $2 rows or at $1, so its cost does not grow with the table.
const RECENT_REQUESTS = `
  SELECT ${DRIFT_COLUMNS}, created_at
  FROM predictions
  WHERE created_at >= $1
  ORDER BY created_at DESC
  LIMIT $2`;

export interface RecentRequests {
  rows: RequestFeatureRow[];
  /** Creation time of the oldest and newest request read; null when there is none. */
  oldest: Date | null;
  newest: Date | null;
}

/** The features of the at most `limit` newest requests created at or after `since`. */
export async function recentRequestFeatures(
  db: Db,
  since: Date,
  limit: number,
): Promise<RecentRequests> {
  const rows = await runPrepared<RequestFeatureRow & { created_at: Date }>(
    db,
    'drift_recent_requests',
    RECENT_REQUESTS,
    [since, limit],
  );
  return {
    rows,
    oldest: rows.at(-1)?.created_at ?? null,
    newest: rows[0]?.created_at ?? null,
  };
}

/**
 * The features of the distinct requests a training run fitted on (its `train` lineage), at most
 * `limit` of them (the primary key of training_examples leads with the run).
 */
export async function trainingRequestFeatures(
  db: Queryable,
  trainingRunId: string,
  limit: number,
): Promise<RequestFeatureRow[]> {
  const result = await db.execute<RequestFeatureRow>(sql`
    select ${sql.raw(DRIFT_COLUMNS)} from predictions
    where id in (
      select distinct prediction_id from training_examples
      where training_run_id = ${trainingRunId} and split = 'train')
    limit ${limit}`);
  return result.rows;
}

/**
 * Stores histograms computed after the fact in the model's manifest (training.requestHistograms),
 * unless some are there already; true when written.
 */
export async function cacheRequestHistograms(
  db: Queryable,
  modelId: string,
  histograms: unknown,
): Promise<boolean> {
  const result = await db.execute(sql`
    update models
    set manifest = jsonb_set(manifest, '{training,requestHistograms}', ${JSON.stringify(histograms)}::jsonb)
    where id = ${modelId} and manifest ? 'training'
      and manifest #> '{training,requestHistograms}' is null`);
  return (result.rowCount ?? 0) > 0;
}

/** Feedback recorded after `since`, counted up to `cap` (feedback_created_at_idx). */
export async function countFeedbackSince(db: Queryable, since: Date, cap: number): Promise<number> {
  const result = await db.execute<{ n: number }>(sql`
    select count(*)::int as n from (
      select 1 from feedback where created_at > ${since} limit ${cap}) recent`);
  return result.rows[0]?.n ?? 0;
}

export interface TrainingActivity {
  /** When the newest training run (of any kind and status) was created. */
  latestAt: Date | null;
  /** Runs queued or running. */
  unfinished: number;
  /** When the retraining policy last started a run (a run whose params carry a trigger). */
  lastTriggeredAt: Date | null;
}

/** What the retraining policy needs to know about past runs, in one round trip. */
export async function trainingActivity(db: Queryable): Promise<TrainingActivity> {
  const result = await db.execute<{
    latest_at: Date | null;
    unfinished: number;
    last_triggered_at: Date | null;
  }>(sql`
    select
      (select created_at from training_runs order by created_at desc limit 1) as latest_at,
      (select count(*)::int from training_runs
        where status in ${sql.raw(sqlList(UNFINISHED_TRAINING_STATUSES))}) as unfinished,
      (select created_at from training_runs where params ? 'trigger'
        order by created_at desc limit 1) as last_triggered_at`);
  const row = result.rows[0];
  const date = (value: Date | string | null | undefined) => (value ? new Date(value) : null);
  return {
    latestAt: date(row?.latest_at),
    unfinished: row?.unfinished ?? 0,
    lastTriggeredAt: date(row?.last_triggered_at),
  };
}
