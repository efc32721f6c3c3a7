// Predictions from submission to a terminal state: the statements. Which states each transition
// may start from is packages/predictions' rule (prediction-lifecycle.ts), passed in as `from`;
// only that package changes a prediction's status. The worker's statements take batches so that
// one statement serves every job of a micro-batch.
import {
  type EnrichedRequest,
  pickTravellerRequest,
  type PredictionStatus,
  UNFINISHED_STATUSES,
} from '@predictq/domain';
import { asc, eq, sql } from 'drizzle-orm';

import type { Db } from './client';
import { countStoredPredictions } from './rollup.repository';
import {
  LOCATION_COLUMNS,
  PREDICTION_COLUMNS,
  PREDICTION_ENDED_CHANNEL,
  PREDICTION_STARTED_CHANNEL,
  runPrepared,
} from './prepared';
import { sqlList } from './schema/columns';
import { TurnBatcher } from './turn-batcher';
import {
  ANONYMOUS_CLIENT_ID,
  locations,
  type LocationRow,
  predictions,
  type PredictionRow,
  rankings,
} from './schema';

export interface NewPrediction {
  id: string;
  request: EnrichedRequest;
  /** The submitting client; the anonymous client when not given. */
  clientId?: string | undefined;
  idempotencyKey?: string | undefined;
  requestHash?: string | undefined;
  webhook?: string | undefined;
  webhookEventsFilter?: readonly string[] | undefined;
  /** Seconds from now after which the still unfinished prediction is canceled. */
  cancelAfterS?: number | undefined;
}

const PREDICTION_INSERT_COLUMNS = `id, idempotency_key, request_hash, people_num, people_age,
  children_num, budget, nights, time_arrival, pool, spa, pet_friendly, lake, mountain, sport,
  age_avg, age_std, age_min, age_max, profile, client_id, webhook, webhook_events_filter, cancel_at`;

/** One new prediction, queued; nothing when its client already used its idempotency key. */
const INSERT_PREDICTION = `
  INSERT INTO predictions (${PREDICTION_INSERT_COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
    $21, $22, $23, now() + make_interval(secs => $24::double precision))
  ON CONFLICT (client_id, idempotency_key) DO NOTHING
  RETURNING ${PREDICTION_COLUMNS}`;

// Many at once, a column per parameter. Arrays travel as their literals (unnest would flatten
// arrays of arrays). Two rows of one statement with the same client and key: the second conflicts
// with the first and is not inserted, as if they had come one after the other.
const INSERT_PREDICTIONS = `
  INSERT INTO predictions (${PREDICTION_INSERT_COLUMNS})
  SELECT v.id, v.idempotency_key, v.request_hash, v.people_num, v.people_age::smallint[],
    v.children_num, v.budget, v.nights, v.time_arrival, v.pool, v.spa, v.pet_friendly, v.lake,
    v.mountain, v.sport, v.age_avg, v.age_std, v.age_min, v.age_max, v.profile, v.client_id,
    v.webhook, v.webhook_events_filter::text[], now() + make_interval(secs => v.cancel_after)
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[], $5::text[], $6::smallint[],
    $7::float8[], $8::smallint[], $9::date[], $10::bool[], $11::bool[], $12::bool[], $13::bool[],
    $14::bool[], $15::bool[], $16::float8[], $17::float8[], $18::smallint[], $19::smallint[],
    $20::text[], $21::uuid[], $22::text[], $23::text[], $24::float8[])
    AS v(id, idempotency_key, request_hash, people_num, people_age, children_num, budget, nights,
      time_arrival, pool, spa, pet_friendly, lake, mountain, sport, age_avg, age_std, age_min,
      age_max, profile, client_id, webhook, webhook_events_filter, cancel_after)
  ON CONFLICT (client_id, idempotency_key) DO NOTHING
  RETURNING ${PREDICTION_COLUMNS}`;

/** A prediction's values in INSERT_PREDICTION's order (arrays as arrays). */
function insertValues(input: NewPrediction): unknown[] {
  const r = input.request;
  return [
    input.id,
    input.idempotencyKey ?? null,
    input.requestHash ?? null,
    r.people_num,
    r.people_age,
    r.children_num,
    r.budget,
    r.nights,
    r.time_arrival,
    r.pool,
    r.spa,
    r.pet_friendly,
    r.lake,
    r.mountain,
    r.sport,
    r.age_avg,
    r.age_std,
    r.age_min,
    r.age_max,
    r.profile ?? null,
    input.clientId ?? ANONYMOUS_CLIENT_ID,
    input.webhook ?? null,
    input.webhookEventsFilter ?? null,
    input.cancelAfterS ?? null,
  ];
}

/** PostgreSQL's literal of a one-dimensional array: each element quoted, NULL for null. */
function arrayLiteral(values: readonly (string | number | null)[] | null): string | null {
  if (values === null) return null;
  const quote = (v: string | number | null) =>
    v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, '\\$&')}"`;
  return `{${values.map(quote).join(',')}}`;
}

const ARRAY_PARAMETERS = new Set([4, 22]); // people_age, webhook_events_filter

export interface CreatedPrediction {
  prediction: PredictionRow;
  /** false: the client already used the idempotency key; `prediction` is the earlier one. */
  created: boolean;
}

/** Stores `inputs` as queued predictions in one statement; the result in their order. */
async function insertPredictions(
  db: Db,
  inputs: readonly NewPrediction[],
): Promise<CreatedPrediction[]> {
  let inserted: PredictionRow[];
  if (inputs.length === 1) {
    inserted = await runPrepared<PredictionRow>(
      db,
      'insert_prediction',
      INSERT_PREDICTION,
      insertValues(inputs[0]!),
    );
  } else {
    const rows = inputs.map(insertValues);
    const columns = rows[0]!.map((_, i) =>
      rows.map((row) =>
        ARRAY_PARAMETERS.has(i)
          ? arrayLiteral(row[i] as (string | number | null)[] | null)
          : row[i],
      ),
    );
    inserted = await runPrepared<PredictionRow>(
      db,
      'insert_predictions',
      INSERT_PREDICTIONS,
      columns,
    );
  }
  const byId = new Map(inserted.map((row) => [row.id, row]));
  return Promise.all(
    inputs.map(async (input) => {
      const prediction = byId.get(input.id);
      if (prediction) return { prediction, created: true };
      const clientId = input.clientId ?? ANONYMOUS_CLIENT_ID;
      const existing = await findByIdempotencyKey(db, clientId, input.idempotencyKey ?? '');
      if (!existing)
        throw new Error('prediction insert conflicted but no prediction holds the key');
      return { prediction: existing, created: false };
    }),
  );
}

const insertBatcher = new TurnBatcher(insertPredictions);

/**
 * Stores a new prediction as `queued`. With an idempotency key the client already used, stores
 * nothing and returns the existing prediction with created = false. The inserts of concurrent
 * submissions in one turn of the event loop share one statement (one round trip, one commit);
 * a row whose values fail it is retried alone, so it never fails its neighbours.
 */
export function createPrediction(db: Db, input: NewPrediction): Promise<CreatedPrediction> {
  return insertBatcher.submit(db, input);
}

/** The client's prediction submitted with this idempotency key, if any. */
export async function findByIdempotencyKey(
  db: Db,
  clientId: string,
  idempotencyKey: string,
): Promise<PredictionRow | undefined> {
  const [row] = await runPrepared<PredictionRow>(
    db,
    'prediction_by_idempotency_key',
    `SELECT ${PREDICTION_COLUMNS} FROM predictions WHERE client_id = $1 AND idempotency_key = $2`,
    [clientId, idempotencyKey],
  );
  return row;
}

/** The stored request of a prediction, as scoring and the API see it. */
export function requestOf(row: PredictionRow): EnrichedRequest {
  const { age_avg, age_std, age_min, age_max } = row;
  return { ...pickTravellerRequest(row), age_avg, age_std, age_min, age_max };
}

const getPredictionQuery = (db: Db) =>
  db
    .select()
    .from(predictions)
    .where(eq(predictions.id, sql.placeholder('id')))
    .prepare('prediction_by_id');

const preparedGetPrediction = new WeakMap<Db, ReturnType<typeof getPredictionQuery>>();

export async function getPrediction(db: Db, id: string): Promise<PredictionRow | undefined> {
  let query = preparedGetPrediction.get(db);
  if (!query) {
    query = getPredictionQuery(db);
    preparedGetPrediction.set(db, query);
  }
  const [row] = await query.execute({ id });
  return row;
}

/** Every stored prediction: hourly rollups and the last hour live, flat as the table grows. */
export function countPredictions(db: Db): Promise<number> {
  return countStoredPredictions(db);
}

export interface RankedStay {
  rank: number;
  location_id: number;
  score: number;
  location: typeof locations.$inferSelect;
}

/** The ranking of a prediction, best first, with each stay's features; at most `limit`. */
export async function getRanking(
  db: Db,
  predictionId: string,
  limit = 1000,
): Promise<RankedStay[]> {
  const rows = await db
    .select({ ranking: rankings, location: locations })
    .from(rankings)
    .innerJoin(locations, eq(locations.id, rankings.location_id))
    .where(eq(rankings.prediction_id, predictionId))
    .orderBy(asc(rankings.rank))
    .limit(limit);
  return rows.map(({ ranking, location }) => ({
    rank: ranking.rank,
    location_id: ranking.location_id,
    score: ranking.score,
    location,
  }));
}

// The prediction of client $3 and, once it succeeded, its top $2 stays with their features; the
// first read of a prefix marks it shown (raises shown_rank: one row, written once). One round
// trip for the API's most frequent request. Location columns are prefixed l_ (names clash with
// the prediction's); the returned prediction shows the marks as they are after this read.
const READ_PREDICTION = `
  WITH marked AS (
    UPDATE predictions SET shown_rank = $2, shown_at = coalesce(shown_at, now())
    WHERE id = $1 AND client_id = $3 AND status = 'succeeded' AND shown_rank < $2
    RETURNING shown_rank, shown_at
  ), p AS (
    SELECT ${PREDICTION_COLUMNS} FROM predictions WHERE id = $1 AND client_id = $3
  )
  SELECT p.*, m.shown_rank AS m_shown_rank, m.shown_at AS m_shown_at,
         r.rank AS r_rank, r.location_id AS r_location_id, r.score AS r_score,
         ${LOCATION_COLUMNS.split(',')
           .map((c) => `l.${c.trim()} AS l_${c.trim()}`)
           .join(', ')}
  FROM p
  LEFT JOIN marked m ON true
  LEFT JOIN rankings r ON r.prediction_id = p.id AND r.rank <= $2 AND p.status = 'succeeded'
  LEFT JOIN locations l ON l.id = r.location_id
  ORDER BY r.rank`;

type Prefixed<T, P extends string> = { [K in keyof T as `${P}${K & string}`]: T[K] };

type PredictionReadRow = PredictionRow &
  Prefixed<Pick<PredictionRow, 'shown_rank' | 'shown_at'>, 'm_'> &
  Prefixed<Pick<RankedStay, 'rank' | 'location_id' | 'score'>, 'r_'> &
  Prefixed<LocationRow, 'l_'>;

export interface PredictionWithRanking {
  prediction: PredictionRow;
  /** Best first; null until the prediction succeeded. */
  ranking: RankedStay[] | null;
}

/**
 * A prediction of `clientId` and, once it succeeded, the top `limit` stays of its ranking, which
 * are marked shown (shown_rank rises to `limit`; later reads of the same prefix change nothing).
 * Another client's prediction is not found. One round trip.
 */
export async function readPredictionWithRanking(
  db: Db,
  id: string,
  limit: number,
  clientId: string = ANONYMOUS_CLIENT_ID,
): Promise<PredictionWithRanking | undefined> {
  const rows = await runPrepared<PredictionReadRow>(db, 'read_prediction', READ_PREDICTION, [
    id,
    limit,
    clientId,
  ]);
  const first = rows[0];
  if (!first) return undefined;
  const prediction = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(first)) {
    if (!/^[rlm]_/.test(key)) prediction[key] = value;
  }
  // The statement's snapshot predates its own update: apply the marks this read set.
  if (first.m_shown_rank !== null) {
    prediction.shown_rank = first.m_shown_rank;
    prediction.shown_at = first.m_shown_at;
  }
  if (first.status !== 'succeeded')
    return { prediction: prediction as PredictionRow, ranking: null };
  const ranking = rows
    .filter((row) => row.r_rank !== null)
    .map((row) => {
      const location = {} as Record<string, unknown>;
      for (const [key, value] of Object.entries(row)) {
        if (key.startsWith('l_')) location[key.slice(2)] = value;
      }
      return {
        rank: row.r_rank,
        location_id: row.r_location_id,
        score: row.r_score,
        location: location as LocationRow,
      };
    });
  return { prediction: prediction as PredictionRow, ranking };
}

export interface LabelledStay {
  rank: number;
  location_id: number;
  shown: boolean;
  /** 1 the chosen stay, 0 shown and not chosen, null not shown or no feedback (yet). */
  label: 0 | 1 | null;
}

/** The ranking with what feedback says of each stay: the labels training learns from. */
export async function labelledStays(db: Db, predictionId: string): Promise<LabelledStay[]> {
  return runPrepared<LabelledStay>(
    db,
    'labelled_stays',
    `SELECT r.rank, r.location_id, r.rank <= p.shown_rank AS shown,
            CASE WHEN f.prediction_id IS NULL OR r.rank > p.shown_rank THEN NULL
                 WHEN f.location_id = r.location_id THEN 1 ELSE 0 END AS label
     FROM rankings r
     JOIN predictions p ON p.id = r.prediction_id
     LEFT JOIN feedback f ON f.prediction_id = r.prediction_id
     WHERE r.prediction_id = $1
     ORDER BY r.rank`,
    [predictionId],
  );
}

/** The source states a transition accepts (a status array parameter of its statement). */
export type FromStates = readonly PredictionStatus[];

// A prediction past its deadline is not claimed (the deadline loop cancels it). Predictions that
// start now (queued before) are announced on PREDICTION_STARTED_CHANNEL at commit, one NOTIFY
// per batch, for the event streams.
const CLAIM_PREDICTIONS = `
  WITH claimed AS (
    SELECT id AS cid, status AS was FROM predictions
    WHERE id = ANY($1::uuid[]) AND status = ANY($2::prediction_status[])
      AND (cancel_at IS NULL OR cancel_at > now())
    FOR UPDATE
  ), started AS (
    UPDATE predictions
    SET status = 'processing', started_at = coalesce(started_at, now()), attempts = attempts + 1
    FROM claimed WHERE id = cid AND status = ANY($2::prediction_status[])
    RETURNING ${PREDICTION_COLUMNS}, was
  ), notified AS (
    SELECT pg_notify('${PREDICTION_STARTED_CHANNEL}', string_agg(id::text, ','))
    FROM started WHERE was = 'queued' HAVING count(*) > 0
  )
  SELECT * FROM started WHERE (SELECT count(*) FROM notified) >= 0`;

/** Marks the predictions `processing` (one more attempt), those whose status is in `from`. */
export async function claimPredictionsFrom(
  db: Db,
  ids: readonly string[],
  from: FromStates,
): Promise<PredictionRow[]> {
  if (ids.length === 0) return [];
  return runPrepared<PredictionRow>(db, 'claim_predictions', CLAIM_PREDICTIONS, [ids, from]);
}

export interface Completion {
  predictionId: string;
  modelId: string;
  ranking: readonly { locationId: number; score: number }[];
}

const COMPLETE_PREDICTIONS = `
  WITH done AS (
    UPDATE predictions p
    SET status = 'succeeded', model_id = v.model_id, completed_at = now(), error = NULL
    FROM unnest($1::uuid[], $2::uuid[]) AS v(id, model_id)
    WHERE p.id = v.id AND p.status = ANY($7::prediction_status[])
    RETURNING p.id
  ), stored AS (
    INSERT INTO rankings (prediction_id, rank, location_id, score)
    SELECT s.prediction_id, s.rank, s.location_id, s.score
    FROM unnest($3::uuid[], $4::smallint[], $5::integer[], $6::real[])
      AS s(prediction_id, rank, location_id, score)
    JOIN done ON done.id = s.prediction_id
  ), notified AS (
    SELECT pg_notify('${PREDICTION_ENDED_CHANNEL}', string_agg(id::text, ',')) FROM done
    HAVING count(*) > 0
  )
  SELECT id FROM done WHERE (SELECT count(*) FROM notified) >= 0`;

/**
 * Stores the rankings and marks the predictions `succeeded`, in one statement (so atomically),
 * and announces them on PREDICTION_ENDED_CHANNEL at commit. Only predictions whose status is in
 * `from` are completed, so a duplicate delivery writes nothing twice. Returns the ids it
 * completed.
 */
export async function completePredictionsFrom(
  db: Db,
  completions: readonly Completion[],
  from: FromStates,
): Promise<string[]> {
  if (completions.length === 0) return [];
  const ids: string[] = [];
  const ranks: number[] = [];
  const locationIds: number[] = [];
  const scores: number[] = [];
  for (const c of completions) {
    c.ranking.forEach((entry, i) => {
      ids.push(c.predictionId);
      ranks.push(i + 1);
      locationIds.push(entry.locationId);
      scores.push(entry.score);
    });
  }
  const rows = await runPrepared<{ id: string }>(db, 'complete_predictions', COMPLETE_PREDICTIONS, [
    completions.map((c) => c.predictionId),
    completions.map((c) => c.modelId),
    ids,
    ranks,
    locationIds,
    scores,
    from,
  ]);
  return rows.map((row) => row.id);
}

const FAIL_PREDICTION = `
  WITH failed AS (
    UPDATE predictions SET status = 'failed', error = $2, completed_at = now(),
      model_id = coalesce($4::uuid, model_id)
    WHERE id = $1 AND status = ANY($3::prediction_status[])
    RETURNING id
  )
  SELECT id, pg_notify('${PREDICTION_ENDED_CHANNEL}', id::text) FROM failed`;

/**
 * Ends a prediction `failed` with the reason, when its status is in `from`; `modelId` is the
 * model whose scoring failed, when one did (a rollout's error guard counts it).
 */
export async function failPredictionFrom(
  db: Db,
  id: string,
  reason: string,
  from: FromStates,
  modelId?: string,
): Promise<boolean> {
  const rows = await runPrepared(db, 'fail_prediction', FAIL_PREDICTION, [
    id,
    reason.slice(0, 2000),
    from,
    modelId ?? null,
  ]);
  return rows.length > 0;
}

/** Where a page of unfinished predictions ended: the next page starts after it. */
export interface UnfinishedCursor {
  /** created_at as PostgreSQL prints it (microseconds kept, unlike a Date). */
  createdAt: string;
  id: string;
}

// Keyset pagination in (created_at, id) order over the partial index of unfinished predictions
// (whose predicate the literal status list matches): each page starts where the last one ended,
// so a pass over a million rows reads each row once. Batch predictions are the batch feeder's
// to recover (it watches the window it queued), so the sweep skips them.
const UNFINISHED_PAGE = `
  SELECT id, status, created_at::text AS position
  FROM predictions
  WHERE status IN ${sqlList(UNFINISHED_STATUSES)} AND batch_id IS NULL AND created_at < $1
    AND created_at >= coalesce($2::timestamptz, '-infinity')
    AND (created_at, id) > (coalesce($2::timestamptz, '-infinity'),
                            coalesce($3::uuid, '00000000-0000-0000-0000-000000000000'))
  ORDER BY created_at, id
  LIMIT $4`;

/**
 * A page of non-terminal predictions created before `createdBefore`, oldest first, after
 * `after`: the recovery sweep's input. `next` is the cursor of the following page (undefined at
 * the end).
 */
export async function findUnfinished(
  db: Db,
  options: { createdBefore: Date; after?: UnfinishedCursor | undefined; limit: number },
): Promise<{
  predictions: { id: string; status: PredictionStatus }[];
  next: UnfinishedCursor | undefined;
}> {
  const rows = await runPrepared<{ id: string; status: PredictionStatus; position: string }>(
    db,
    'unfinished_page',
    UNFINISHED_PAGE,
    [
      options.createdBefore,
      options.after?.createdAt ?? null,
      options.after?.id ?? null,
      options.limit,
    ],
  );
  const last = rows.at(-1);
  return {
    predictions: rows.map(({ id, status }) => ({ id, status })),
    next:
      last && rows.length === options.limit ? { createdAt: last.position, id: last.id } : undefined,
  };
}

// The interactive predictions still unfinished that came before one, counted up to a cap through
// the partial index of unfinished predictions (an index-only scan of at most `cap` entries:
// about 0.2 ms for 1,000 at a backlog of 200,000). Batch predictions are scored after them, so
// they are not ahead. Its own created_at is read here (microseconds, which a Date would lose);
// comparing created_at alone keeps the scan index-only.
const UNFINISHED_AHEAD = `
  SELECT count(*)::int AS ahead FROM (
    SELECT 1 FROM predictions p, (SELECT created_at FROM predictions WHERE id = $1) me
    WHERE p.status IN ${sqlList(UNFINISHED_STATUSES)} AND p.batch_id IS NULL
      AND p.created_at < me.created_at
    LIMIT $2) AS older`;

/** How many interactive unfinished predictions are ahead of this one, counted up to `cap`. */
export async function unfinishedAhead(db: Db, id: string, cap: number): Promise<number> {
  const [row] = await runPrepared<{ ahead: number }>(db, 'unfinished_ahead', UNFINISHED_AHEAD, [
    id,
    cap,
  ]);
  return row?.ahead ?? 0;
}
