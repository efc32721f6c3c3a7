// GET /v1/predictions: a page of predictions, newest first, by keyset on (created_at, id), so
// a page costs the same at any depth and rows inserted meanwhile neither repeat nor hide others.
// A client's pages use predictions_client_created_idx, the operator's predictions_created_id_idx,
// a batch's predictions_batch_created_idx.
import type { PredictionStatus } from '@predictq/domain';
import { type SQL, sql } from 'drizzle-orm';

import type { Db } from './client';
import type { PredictionRow } from './schema';

/** Where a page ended: created_at as PostgreSQL prints it (microseconds kept), and the id. */
export interface ListCursor {
  createdAt: string;
  id: string;
}

export interface ListFilter {
  /** Only this client's; undefined: every client's (the operator). */
  clientId?: string | undefined;
  statuses?: readonly PredictionStatus[] | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  modelVersion?: number | undefined;
  idempotencyKey?: string | undefined;
  /** Only this batch's (of the same client, when clientId is set). */
  batchId?: string | undefined;
}

export type ListedPrediction = PredictionRow & { model_version: number | null };

export async function listPredictions(
  db: Db,
  filter: ListFilter,
  options: { limit: number; after?: ListCursor | undefined },
): Promise<{ predictions: ListedPrediction[]; next: ListCursor | undefined }> {
  const where: SQL[] = [];
  if (filter.clientId !== undefined) where.push(sql`p.client_id = ${filter.clientId}::uuid`);
  if (filter.statuses?.length) {
    // One array parameter (drizzle would spread a JS array into a list of parameters).
    where.push(sql`p.status = ANY(${`{${filter.statuses.join(',')}}`}::prediction_status[])`);
  }
  if (filter.createdAfter) where.push(sql`p.created_at >= ${filter.createdAfter.toISOString()}`);
  if (filter.createdBefore) where.push(sql`p.created_at < ${filter.createdBefore.toISOString()}`);
  if (filter.modelVersion !== undefined) {
    where.push(sql`p.model_id = (SELECT id FROM models WHERE version = ${filter.modelVersion})`);
  }
  if (filter.idempotencyKey !== undefined) {
    where.push(sql`p.idempotency_key = ${filter.idempotencyKey}`);
  }
  if (filter.batchId !== undefined) {
    // Through the batch's own row, so that another client's batch matches nothing at once (its
    // rows are never read) and a batch's page is a walk of predictions_batch_created_idx.
    where.push(
      filter.clientId === undefined
        ? sql`p.batch_id = ${filter.batchId}::uuid`
        : sql`p.batch_id = (SELECT b.id FROM batches b WHERE b.id = ${filter.batchId}::uuid AND b.client_id = ${filter.clientId}::uuid)`,
    );
  }
  if (options.after) {
    where.push(
      sql`(p.created_at, p.id) < (${options.after.createdAt}::timestamptz, ${options.after.id}::uuid)`,
    );
  }
  const result = await db.execute<ListedPrediction & { position: string }>(sql`
    SELECT p.id, p.status, p.client_id, p.idempotency_key, p.people_num, p.people_age,
      p.children_num, p.budget, p.nights, to_char(p.time_arrival, 'YYYY-MM-DD') AS time_arrival,
      p.pool, p.spa, p.pet_friendly, p.lake, p.mountain, p.sport, p.age_avg, p.age_std,
      p.age_min, p.age_max, p.profile, p.model_id, m.version AS model_version, p.error,
      p.attempts, p.shown_rank, p.shown_at, p.webhook, p.webhook_events_filter, p.cancel_at,
      p.created_at, p.started_at, p.completed_at, p.created_at::text AS position
    FROM predictions p LEFT JOIN models m ON m.id = p.model_id
    ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``}
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT ${options.limit + 1}`);
  const rows = result.rows.map((row) => ({
    ...row,
    created_at: new Date(row.created_at),
    started_at: row.started_at === null ? null : new Date(row.started_at),
    completed_at: row.completed_at === null ? null : new Date(row.completed_at),
    cancel_at: row.cancel_at === null ? null : new Date(row.cancel_at),
    shown_at: row.shown_at === null ? null : new Date(row.shown_at),
  }));
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    predictions: page,
    next:
      rows.length > options.limit && last ? { createdAt: last.position, id: last.id } : undefined,
  };
}
