// The operator's counts over the append-only history, flat as the tables grow: closed hours come
// from the hourly rollups (rollup.schema.ts), the rest is counted live through the indexes on the
// time columns. Only the hours before rollup_state.materialized_until are rolled up; a read first
// rolls up the hours that closed since (each hour once, by one statement, so a million-row table
// is scanned once, by the first read after an upgrade or a fill).
//
// An hour is closed ROLLUP_MARGIN after its end. The rolled-up columns (created_at, completed_at,
// feedback's created_at) are set to now() by single-statement transactions, so a row committed
// later than that margin after its timestamp does not happen in practice; the history is
// append-only (nothing updates those columns again or deletes rows), so a closed hour never
// changes. A bulk load of past rows (npm run fill) calls resetRollups afterwards.
import { sql } from 'drizzle-orm';

import type { Queryable } from './client';

const ROLLUP_MARGIN = `interval '5 minutes'`;

// bounds locks the one state row, so concurrent refreshes run one after the other; the second
// re-reads the advanced mark and rolls up nothing. succeeded is counted per model through
// predictions_model_completed_idx; the hours of both sources merge into one upsert per key.
const REFRESH = sql.raw(`
  WITH bounds AS (
    SELECT materialized_until AS lo,
           date_trunc('hour', now() - ${ROLLUP_MARGIN}, 'UTC') AS hi
    FROM rollup_state WHERE id = 1 FOR UPDATE
  ), counts AS (
    INSERT INTO prediction_hourly_counts (hour, predictions)
    SELECT date_trunc('hour', p.created_at, 'UTC'), count(*)::int
    FROM bounds b JOIN predictions p ON p.created_at >= b.lo AND p.created_at < b.hi
    GROUP BY 1
    ON CONFLICT (hour) DO UPDATE SET predictions = excluded.predictions
    RETURNING hour
  ), succeeded AS (
    SELECT m.id AS model_id, s.hour, s.n
    FROM bounds b CROSS JOIN models m CROSS JOIN LATERAL (
      SELECT date_trunc('hour', p.completed_at, 'UTC') AS hour, count(*)::int AS n
      FROM predictions p
      WHERE p.model_id = m.id AND p.completed_at >= b.lo AND p.completed_at < b.hi
        AND p.status = 'succeeded'
      GROUP BY 1
    ) s
  ), given AS (
    SELECT f.model_id, date_trunc('hour', f.created_at, 'UTC') AS hour, count(*)::int AS n,
           (count(*) FILTER (WHERE f.outcome = 'chosen'))::int AS chosen,
           (count(*) FILTER (WHERE f.outcome = 'none'))::int AS none
    FROM bounds b JOIN feedback f ON f.created_at >= b.lo AND f.created_at < b.hi
    WHERE f.model_id IS NOT NULL
    GROUP BY 1, 2
  ), quality AS (
    INSERT INTO model_hourly_quality (model_id, hour, succeeded, feedback, chosen, none)
    SELECT coalesce(s.model_id, g.model_id), coalesce(s.hour, g.hour), coalesce(s.n, 0),
           coalesce(g.n, 0), coalesce(g.chosen, 0), coalesce(g.none, 0)
    FROM succeeded s FULL JOIN given g ON g.model_id = s.model_id AND g.hour = s.hour
    ON CONFLICT (model_id, hour) DO UPDATE SET succeeded = excluded.succeeded,
      feedback = excluded.feedback, chosen = excluded.chosen, none = excluded.none
    RETURNING hour
  )
  UPDATE rollup_state SET materialized_until = b.hi
  FROM bounds b
  WHERE rollup_state.id = 1 AND b.hi > b.lo
    AND (SELECT count(*) FROM counts) + (SELECT count(*) FROM quality) >= 0
  RETURNING materialized_until`);

const DUE = sql.raw(`
  SELECT materialized_until < date_trunc('hour', now() - ${ROLLUP_MARGIN}, 'UTC') AS due
  FROM rollup_state WHERE id = 1`);

/** Rolls up the hours that closed since the last refresh (nothing when none did). */
export async function refreshRollups(db: Queryable): Promise<void> {
  const { rows } = await db.execute<{ due: boolean }>(DUE);
  if (rows[0]?.due) await db.execute(REFRESH);
}

/** Forgets every rollup (after rows were loaded into the past); the next read rolls up again. */
export const RESET_ROLLUPS_SQL = `
  BEGIN;
  DELETE FROM prediction_hourly_counts;
  DELETE FROM model_hourly_quality;
  INSERT INTO rollup_state (id, materialized_until) VALUES (1, '-infinity')
    ON CONFLICT (id) DO UPDATE SET materialized_until = '-infinity';
  COMMIT;`;

// The window [since, ∞) in three parts: live from since to the first whole hour (head), the
// rolled-up hours up to materialized_until, and live from there on (tail). When since is past the
// mark, everything is live. A missing state row means nothing is rolled up.
const WINDOW = (since: Date | null) => sql`
  s AS (
    SELECT coalesce((SELECT materialized_until FROM rollup_state WHERE id = 1),
                    '-infinity'::timestamptz) AS until,
           ${since ?? '-infinity'}::timestamptz AS since
  ), w AS (
    SELECT since, until, greatest(until, since) AS tail_from,
           CASE WHEN date_trunc('hour', since, 'UTC') = since THEN since
                ELSE date_trunc('hour', since, 'UTC') + interval '1 hour' END AS first_hour
    FROM s
  ), b AS (
    SELECT since, until, tail_from, first_hour, least(first_hour, until) AS head_to FROM w
  )`;

export type ModelQualityCounts = {
  predictions: number;
  feedback: number;
  chosen: number;
  none: number;
};

/** A model's succeeded predictions and feedback since `since` (all time when null). */
export async function modelQualityCounts(
  db: Queryable,
  modelId: string,
  since: Date | null,
): Promise<ModelQualityCounts> {
  await refreshRollups(db);
  const result = await db.execute<ModelQualityCounts>(sql`
    WITH ${WINDOW(since)}, live_p AS (
      SELECT count(*) AS n FROM b JOIN predictions p
        ON p.model_id = ${modelId} AND p.completed_at >= b.since AND p.completed_at < b.head_to
      WHERE p.status = 'succeeded'
      UNION ALL
      SELECT count(*) FROM b JOIN predictions p
        ON p.model_id = ${modelId} AND p.completed_at >= b.tail_from
      WHERE p.status = 'succeeded'
    ), live_f AS (
      SELECT f.outcome FROM b JOIN feedback f
        ON f.model_id = ${modelId} AND f.created_at >= b.since AND f.created_at < b.head_to
      UNION ALL
      SELECT f.outcome FROM b JOIN feedback f
        ON f.model_id = ${modelId} AND f.created_at >= b.tail_from
    ), rolled AS (
      SELECT coalesce(sum(q.succeeded), 0) AS succeeded, coalesce(sum(q.feedback), 0) AS feedback,
             coalesce(sum(q.chosen), 0) AS chosen, coalesce(sum(q.none), 0) AS none
      FROM b JOIN model_hourly_quality q
        ON q.model_id = ${modelId} AND q.hour >= b.first_hour AND q.hour < b.until
    )
    SELECT (r.succeeded + (SELECT sum(n) FROM live_p))::int AS predictions,
           (r.feedback + (SELECT count(*) FROM live_f))::int AS feedback,
           (r.chosen + (SELECT count(*) FROM live_f WHERE outcome = 'chosen'))::int AS chosen,
           (r.none + (SELECT count(*) FROM live_f WHERE outcome = 'none'))::int AS none
    FROM rolled r`);
  return result.rows[0] as ModelQualityCounts;
}

/** Every stored prediction, whatever its status. */
export async function countStoredPredictions(db: Queryable): Promise<number> {
  await refreshRollups(db);
  const result = await db.execute<{ n: number }>(sql`
    WITH ${WINDOW(null)}
    SELECT ((SELECT coalesce(sum(c.predictions), 0) FROM b JOIN prediction_hourly_counts c
               ON c.hour < b.until)
          + (SELECT count(*) FROM b JOIN predictions p ON p.created_at >= b.tail_from))::int AS n`);
  return result.rows[0]?.n ?? 0;
}
