// Batches: the statements. Acceptance runs on one connection inside one transaction (the caller's
// PoolClient), with multi-row inserts of a chunk of rows each; the feeder's and the reads'
// statements run on the pool. Which prediction states a batch cancel may start from is
// packages/predictions' rule, passed in as `from`.
import type { BatchStatus, EnrichedRequest, PredictionStatus } from '@predictq/domain';
import type { PoolClient } from 'pg';

import type { Db } from './client';
import { PREDICTION_ENDED_CHANNEL, runPrepared } from './prepared';
import type { BatchRow } from './schema';

/** A connection inside the acceptance transaction. */
export type BatchTransaction = Pick<PoolClient, 'query'>;

const BATCH_COLUMNS = `id, client_id, status, idempotency_key, request_hash, format, row_count,
  accepted_count, rejected_count, window_size, fed_row, created_at, completed_at, canceled_at`;

export interface NewBatch {
  id: string;
  clientId: string;
  idempotencyKey: string | undefined;
  format: 'csv' | 'tsv';
  windowSize: number;
}

/**
 * Inserts the batch (running, no rows yet); with an idempotency key the client already used,
 * inserts nothing and returns the existing batch (created = false). A concurrent upload with the
 * same key waits here until the first one commits or rolls back.
 */
export async function insertBatch(
  tx: BatchTransaction,
  batch: NewBatch,
): Promise<{ batch: BatchRow; created: boolean }> {
  const inserted = await tx.query<BatchRow>(
    `INSERT INTO batches (id, client_id, idempotency_key, format, window_size)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (client_id, idempotency_key) DO NOTHING
     RETURNING ${BATCH_COLUMNS}`,
    [batch.id, batch.clientId, batch.idempotencyKey ?? null, batch.format, batch.windowSize],
  );
  const row = inserted.rows[0];
  if (row) return { batch: row, created: true };
  const existing = await tx.query<BatchRow>(
    `SELECT ${BATCH_COLUMNS} FROM batches WHERE client_id = $1 AND idempotency_key = $2`,
    [batch.clientId, batch.idempotencyKey ?? ''],
  );
  if (!existing.rows[0]) throw new Error('batch insert conflicted but no batch holds the key');
  return { batch: existing.rows[0], created: false };
}

export interface NewBatchPrediction {
  id: string;
  row: number;
  requestId: string | undefined;
  request: EnrichedRequest;
}

/** Stores a chunk of a batch's rows as queued predictions: one multi-row statement. */
export async function insertBatchPredictions(
  tx: BatchTransaction,
  batchId: string,
  clientId: string,
  rows: readonly NewBatchPrediction[],
): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (r: NewBatchPrediction) => T): T[] => rows.map(pick);
  await tx.query(
    `INSERT INTO predictions (id, batch_id, client_id, batch_row, batch_request_id, people_num,
       people_age, children_num, budget, nights, time_arrival, pool, spa, pet_friendly, lake,
       mountain, sport, age_avg, age_std, age_min, age_max, profile)
     SELECT v.id, $1, $2, v.row, v.request_id, v.people_num, v.people_age::smallint[],
       v.children_num, v.budget, v.nights, v.time_arrival, v.pool, v.spa, v.pet_friendly, v.lake,
       v.mountain, v.sport, v.age_avg, v.age_std, v.age_min, v.age_max, v.profile
     FROM unnest($3::uuid[], $4::int[], $5::text[], $6::smallint[], $7::text[], $8::smallint[],
       $9::float8[], $10::smallint[], $11::date[], $12::bool[], $13::bool[], $14::bool[],
       $15::bool[], $16::bool[], $17::bool[], $18::float8[], $19::float8[], $20::smallint[],
       $21::smallint[], $22::text[])
       AS v(id, row, request_id, people_num, people_age, children_num, budget, nights,
         time_arrival, pool, spa, pet_friendly, lake, mountain, sport, age_avg, age_std, age_min,
         age_max, profile)`,
    [
      batchId,
      clientId,
      column((r) => r.id),
      column((r) => r.row),
      column((r) => r.requestId ?? null),
      column((r) => r.request.people_num),
      // An array per row: unnest flattens arrays of arrays, so each travels as its literal.
      column((r) => `{${r.request.people_age.join(',')}}`),
      column((r) => r.request.children_num),
      column((r) => r.request.budget),
      column((r) => r.request.nights),
      column((r) => r.request.time_arrival),
      column((r) => r.request.pool),
      column((r) => r.request.spa),
      column((r) => r.request.pet_friendly),
      column((r) => r.request.lake),
      column((r) => r.request.mountain),
      column((r) => r.request.sport),
      column((r) => r.request.age_avg),
      column((r) => r.request.age_std),
      column((r) => r.request.age_min),
      column((r) => r.request.age_max),
      column((r) => r.request.profile ?? null),
    ],
  );
}

export interface BatchRowError {
  row: number;
  field: string;
  reason: string;
  requestId: string | undefined;
}

/** Stores a chunk of rejected rows' errors (one per broken field): one multi-row statement. */
export async function insertBatchRowErrors(
  tx: BatchTransaction,
  batchId: string,
  errors: readonly BatchRowError[],
): Promise<void> {
  if (errors.length === 0) return;
  await tx.query(
    `INSERT INTO batch_row_errors (batch_id, row, field, reason, request_id)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT DO NOTHING`,
    [
      batchId,
      errors.map((e) => e.row),
      errors.map((e) => e.field),
      errors.map((e) => e.reason),
      errors.map((e) => e.requestId ?? null),
    ],
  );
}

/** Records the file's counts and hash at the end of acceptance (still in its transaction). */
export async function finishBatchAcceptance(
  tx: BatchTransaction,
  batchId: string,
  counts: { rows: number; accepted: number; rejected: number; hash: string | undefined },
): Promise<BatchRow> {
  const result = await tx.query<BatchRow>(
    `UPDATE batches SET row_count = $2, accepted_count = $3, rejected_count = $4,
       request_hash = $5,
       status = CASE WHEN $3 = 0 THEN 'completed'::batch_status ELSE status END,
       completed_at = CASE WHEN $3 = 0 THEN now() ELSE completed_at END
     WHERE id = $1 RETURNING ${BATCH_COLUMNS}`,
    [batchId, counts.rows, counts.accepted, counts.rejected, counts.hash ?? null],
  );
  if (!result.rows[0]) throw new Error(`batch ${batchId} vanished during acceptance`);
  return result.rows[0];
}

/** The client's batch, or undefined (another client's batch is not found). */
export async function findBatch(
  db: Db,
  id: string,
  clientId: string | undefined,
): Promise<BatchRow | undefined> {
  const [row] = await runPrepared<BatchRow>(
    db,
    'batch_by_id',
    `SELECT ${BATCH_COLUMNS} FROM batches WHERE id = $1 AND ($2::uuid IS NULL OR client_id = $2)`,
    [id, clientId ?? null],
  );
  return row;
}

export interface BatchProgressRow {
  status: PredictionStatus;
  count: number;
  first_started_at: Date | null;
  last_completed_at: Date | null;
}

/** The batch's predictions counted by status, with when scoring began and last ended. */
export async function batchStatusCounts(db: Db, batchId: string): Promise<BatchProgressRow[]> {
  return runPrepared<BatchProgressRow>(
    db,
    'batch_status_counts',
    `SELECT status, count(*)::int AS count, min(started_at) AS first_started_at,
            max(completed_at) AS last_completed_at
     FROM predictions WHERE batch_id = $1 GROUP BY status`,
    [batchId],
  );
}

/** A page of the client's batches, newest first, after the cursor (created_at, id). */
export async function listBatches(
  db: Db,
  options: {
    clientId: string | undefined;
    limit: number;
    before?: { createdAt: string; id: string } | undefined;
    status?: BatchStatus | undefined;
  },
): Promise<(BatchRow & { position: string })[]> {
  return runPrepared<BatchRow & { position: string }>(
    db,
    'batch_page',
    `SELECT ${BATCH_COLUMNS}, created_at::text AS position FROM batches
     WHERE ($1::uuid IS NULL OR client_id = $1)
       AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       AND ($5::batch_status IS NULL OR status = $5)
     ORDER BY created_at DESC, id DESC
     LIMIT $4`,
    [
      options.clientId ?? null,
      options.before?.createdAt ?? null,
      options.before?.id ?? null,
      options.limit,
      options.status ?? null,
    ],
  );
}

// ---- the feeder --------------------------------------------------------------------------

/** The running batches, oldest first, locked for this feeder (another one skips them). */
export async function lockRunningBatches(tx: BatchTransaction, limit: number): Promise<BatchRow[]> {
  const result = await tx.query<BatchRow>(
    `SELECT ${BATCH_COLUMNS} FROM batches WHERE status = 'running'
     ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return result.rows;
}

/** The batch's queued-or-processing predictions at rows up to `fedRow`: what is in the queue. */
export async function batchWindow(
  tx: BatchTransaction,
  batchId: string,
  fedRow: number,
): Promise<{ id: string; status: PredictionStatus }[]> {
  const result = await tx.query<{ id: string; status: PredictionStatus }>(
    `SELECT id, status FROM predictions
     WHERE batch_id = $1 AND batch_row <= $2 AND status IN ('queued', 'processing')
     ORDER BY batch_row`,
    [batchId, fedRow],
  );
  return result.rows;
}

/** The next queued predictions of the batch after row `afterRow`, in row order. */
export async function nextBatchRows(
  tx: BatchTransaction,
  batchId: string,
  afterRow: number,
  limit: number,
): Promise<{ id: string; batch_row: number }[]> {
  const result = await tx.query<{ id: string; batch_row: number }>(
    `SELECT id, batch_row FROM predictions
     WHERE batch_id = $1 AND batch_row > $2 AND status IN ('queued', 'processing')
     ORDER BY batch_row LIMIT $3`,
    [batchId, afterRow, limit],
  );
  return result.rows;
}

export async function advanceFedRow(
  tx: BatchTransaction,
  batchId: string,
  fedRow: number,
): Promise<void> {
  await tx.query(`UPDATE batches SET fed_row = greatest(fed_row, $2) WHERE id = $1`, [
    batchId,
    fedRow,
  ]);
}

/** Marks the batch completed when none of its predictions is unfinished; true when it did. */
export async function completeBatchIfDone(tx: BatchTransaction, batchId: string): Promise<boolean> {
  const result = await tx.query(
    `UPDATE batches SET status = 'completed', completed_at = now()
     WHERE id = $1 AND status = 'running' AND NOT EXISTS (
       SELECT 1 FROM predictions WHERE batch_id = $1 AND status IN ('queued', 'processing'))`,
    [batchId],
  );
  return (result.rowCount ?? 0) > 0;
}

/**
 * Predictions a batch cancel ends per statement. A single UPDATE of a 1M-row batch ran past the
 * statement timeout and rolled back; chunks of this size each take well under a second.
 */
export const BATCH_CANCEL_CHUNK = 10_000;

/**
 * Ends up to `limit` of the batch's predictions whose status is in `from` canceled, lowest rows
 * first, announcing them; rows a worker is claiming at that moment are skipped (they are no
 * longer queued). Returns their ids.
 */
async function cancelBatchChunk(
  client: BatchTransaction,
  batchId: string,
  from: readonly PredictionStatus[],
  limit: number,
): Promise<string[]> {
  const canceled = await client.query<{ id: string }>(
    `UPDATE predictions SET status = 'canceled', completed_at = now(),
       error = 'the batch was canceled'
     WHERE status = ANY($2::prediction_status[]) AND id IN (
       SELECT id FROM predictions
       WHERE batch_id = $1 AND status IN ('queued', 'processing')
         AND status = ANY($2::prediction_status[])
       ORDER BY batch_row LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [batchId, from, limit],
  );
  if (canceled.rows.length > 0) {
    await client.query(`SELECT pg_notify('${PREDICTION_ENDED_CHANNEL}', $1)`, [
      canceled.rows
        .slice(0, 200)
        .map((r) => r.id)
        .join(','),
    ]);
  }
  return canceled.rows.map((r) => r.id);
}

/**
 * Cancels the batch (running -> canceled) and ends the first `chunk` of its predictions whose
 * status is in `from` canceled, in one transaction; returns those ids, or undefined when the
 * batch was not running (unknown, or already ended). The batch's other such predictions are
 * ended by `cancelRestOfCanceledBatches` (the batch feeder's loop), chunk by chunk: being
 * canceled, the batch feeds the queue no more, so they wait without jobs meanwhile.
 */
export async function cancelBatchFrom(
  db: Db,
  batchId: string,
  clientId: string | undefined,
  from: readonly PredictionStatus[],
  chunk = BATCH_CANCEL_CHUNK,
): Promise<string[] | undefined> {
  const client = await db.$client.connect();
  try {
    await client.query('BEGIN');
    const batch = await client.query(
      `UPDATE batches SET status = 'canceled', canceled_at = now()
       WHERE id = $1 AND status = 'running' AND ($2::uuid IS NULL OR client_id = $2)
       RETURNING id`,
      [batchId, clientId ?? null],
    );
    if (batch.rowCount === 0) {
      await client.query('ROLLBACK');
      return undefined;
    }
    const canceled = await cancelBatchChunk(client, batchId, from, chunk);
    await client.query('COMMIT');
    return canceled;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Ends canceled, chunk by chunk (each its own statement), the predictions whose status is in
 * `from` of every canceled batch that still has some, up to `maxRows` in all; returns how many.
 * A crash between chunks loses nothing: the next call goes on.
 */
export async function cancelRestOfCanceledBatchesFrom(
  db: Db,
  from: readonly PredictionStatus[],
  options: { chunk?: number; maxRows?: number } = {},
): Promise<number> {
  const chunk = options.chunk ?? BATCH_CANCEL_CHUNK;
  let budget = options.maxRows ?? 10 * chunk;
  const client = await db.$client.connect();
  let total = 0;
  try {
    // The partial index of a batch's unfinished predictions answers each EXISTS at once.
    const batches = await client.query<{ id: string }>(
      `SELECT b.id FROM batches b
       WHERE b.status = 'canceled' AND EXISTS (
         SELECT 1 FROM predictions p
         WHERE p.batch_id = b.id AND p.status IN ('queued', 'processing')
           AND p.status = ANY($1::prediction_status[]))
       ORDER BY b.canceled_at`,
      [from],
    );
    for (const { id } of batches.rows) {
      while (budget > 0) {
        const want = Math.min(chunk, budget);
        const ended = await cancelBatchChunk(client, id, from, want);
        total += ended.length;
        budget -= ended.length;
        if (ended.length < want) break; // none left (or the rest is being claimed)
      }
      if (budget <= 0) break;
    }
    return total;
  } finally {
    client.release();
  }
}

// ---- results -----------------------------------------------------------------------------

export interface BatchResultRow {
  row: number;
  request_id: string | null;
  prediction_id: string | null;
  status: PredictionStatus | 'rejected';
  model_version: number | null;
  error: string | null;
  /** Best first. */
  location_ids: number[] | null;
  scores: number[] | null;
}

/**
 * The batch's rows from `fromRow` to `toRow` (inclusive), in row order: each prediction with its
 * top `topK` stays, and each rejected row with its errors ("field: reason; ..."). Marks the
 * succeeded rankings shown up to `topK` (results carry them: shown means delivered).
 */
export async function batchResultRows(
  db: Db,
  batchId: string,
  fromRow: number,
  toRow: number,
  topK: number,
): Promise<BatchResultRow[]> {
  return runPrepared<BatchResultRow>(
    db,
    'batch_result_rows',
    `WITH marked AS (
       UPDATE predictions SET shown_rank = $4, shown_at = coalesce(shown_at, now())
       WHERE batch_id = $1 AND batch_row BETWEEN $2 AND $3 AND status = 'succeeded'
         AND shown_rank < $4
       RETURNING id
     )
     SELECT p.batch_row AS row, p.batch_request_id AS request_id, p.id AS prediction_id,
            p.status::text AS status, m.version AS model_version, p.error,
            r.location_ids, r.scores
     FROM predictions p
     LEFT JOIN models m ON m.id = p.model_id
     LEFT JOIN LATERAL (
       SELECT array_agg(location_id ORDER BY rank) AS location_ids,
              array_agg(score ORDER BY rank) AS scores
       FROM rankings WHERE prediction_id = p.id AND rank <= $4
     ) r ON p.status = 'succeeded'
     WHERE p.batch_id = $1 AND p.batch_row BETWEEN $2 AND $3
       AND (SELECT count(*) FROM marked) >= 0
     UNION ALL
     SELECT e.row, min(e.request_id), NULL, 'rejected', NULL,
            string_agg(e.field || ': ' || e.reason, '; ' ORDER BY e.field), NULL, NULL
     FROM batch_row_errors e
     WHERE e.batch_id = $1 AND e.row BETWEEN $2 AND $3
     GROUP BY e.row
     ORDER BY row`,
    [batchId, fromRow, toRow, topK],
  );
}
