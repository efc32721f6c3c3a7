// Predictions: one row per traveller request, its lifecycle, and which model scored it. The
// request is stored in typed columns so that training and the drift dashboards query it
// directly.
import { PREDICTION_STATUSES, UNFINISHED_STATUSES } from '@predictq/domain';
import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  pgEnum,
  pgTable,
  smallint,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { batches } from './batch.schema';
import { ANONYMOUS_CLIENT_ID, clients } from './client.schema';
import { createdAt, sqlList, timestampTz } from './columns';
import { models } from './model.schema';

export const predictionStatus = pgEnum('prediction_status', PREDICTION_STATUSES);

export const predictions = pgTable(
  'predictions',
  {
    id: uuid('id').primaryKey(),
    status: predictionStatus('status').notNull().default('queued'),
    /** Who submitted it; idempotency keys are unique per client. */
    client_id: uuid('client_id')
      .notNull()
      .default(ANONYMOUS_CLIENT_ID)
      .references(() => clients.id),
    idempotency_key: text('idempotency_key'),
    /** sha256 of the request body, to refuse an idempotency key reused for another body. */
    request_hash: text('request_hash'),
    people_num: smallint('people_num').notNull(),
    people_age: smallint('people_age').array().notNull(),
    children_num: smallint('children_num').notNull(),
    budget: doublePrecision('budget').notNull(),
    nights: smallint('nights').notNull(),
    time_arrival: date('time_arrival', { mode: 'string' }).notNull(),
    pool: boolean('pool').notNull(),
    spa: boolean('spa').notNull(),
    pet_friendly: boolean('pet_friendly').notNull(),
    lake: boolean('lake').notNull(),
    mountain: boolean('mountain').notNull(),
    sport: boolean('sport').notNull(),
    age_avg: doublePrecision('age_avg').notNull(),
    age_std: doublePrecision('age_std').notNull(),
    age_min: smallint('age_min').notNull(),
    age_max: smallint('age_max').notNull(),
    profile: text('profile'),
    /** Submission options (not part of the request): where to call back, on which events. */
    webhook: text('webhook'),
    webhook_events_filter: text('webhook_events_filter').array(),
    /** Deadline (cancel_after): still unfinished then, it ends canceled. */
    cancel_at: timestampTz('cancel_at'),
    model_id: uuid('model_id').references(() => models.id),
    /**
     * The client was shown the stays ranked 1..shown_rank (reads show a prefix of the ranking:
     * all of it in v1, the first `limit` in the compatible API); 0 = not shown yet.
     */
    shown_rank: smallint('shown_rank').notNull().default(0),
    /** When the ranking was first shown. */
    shown_at: timestampTz('shown_at'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    /** The batch it came in with (null: submitted alone), its row there and the row's request_id. */
    batch_id: uuid('batch_id').references(() => batches.id),
    batch_row: integer('batch_row'),
    batch_request_id: text('batch_request_id'),
    created_at: createdAt(),
    started_at: timestampTz('started_at'),
    completed_at: timestampTz('completed_at'),
  },
  (t) => [
    uniqueIndex('predictions_client_idempotency_key_key').on(t.client_id, t.idempotency_key),
    // The recovery sweep looks for non-terminal predictions by age. Batch predictions are left
    // to the batch feeder, which watches only the window it put in the queue: a sweep pass never
    // rescans a whole batch.
    index('predictions_unfinished_idx')
      .on(t.created_at)
      .where(
        sql`${t.status} in ${sql.raw(sqlList(UNFINISHED_STATUSES))} and ${t.batch_id} is null`,
      ),
    // A batch's rows in input order (results, the feeder's next window).
    uniqueIndex('predictions_batch_row_key').on(t.batch_id, t.batch_row),
    // A batch's unfinished rows: the feeder counts its window with it, and cancel finds them.
    index('predictions_batch_unfinished_idx')
      .on(t.batch_id, t.batch_row)
      .where(sql`${t.status} in ${sql.raw(sqlList(UNFINISHED_STATUSES))}`),
    // GET /v1/predictions?batch_id=: a batch's predictions in the list's order, by keyset.
    index('predictions_batch_created_idx')
      .on(t.batch_id, t.created_at, t.id)
      .where(sql`${t.batch_id} is not null`),
    index('predictions_model_completed_idx').on(t.model_id, t.completed_at),
    // GET /v1/predictions: a client's predictions, newest first, by keyset (created_at, id).
    index('predictions_client_created_idx').on(t.client_id, t.created_at, t.id),
    // The list filtered by status: a rare status (failed, canceled) is found without a scan.
    index('predictions_client_status_created_idx').on(t.client_id, t.status, t.created_at, t.id),
    // The operator's list over every client, in the same order (and time-range scans).
    index('predictions_created_id_idx').on(t.created_at, t.id),
    // The deadline loop looks for unfinished predictions past their cancel_at.
    index('predictions_deadline_idx')
      .on(t.cancel_at)
      .where(
        sql`${t.cancel_at} is not null and ${t.status} in ${sql.raw(sqlList(UNFINISHED_STATUSES))}`,
      ),
  ],
);

export type PredictionRow = typeof predictions.$inferSelect;
export type NewPredictionRow = typeof predictions.$inferInsert;
