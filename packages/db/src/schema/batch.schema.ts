// Batches: a CSV of traveller requests accepted in one transaction. Valid rows are predictions
// (predictions.batch_id, batch_row); invalid rows are batch_row_errors, one per broken field, and
// are never scored. The feeder moves `fed_row` forward as it hands the batch's predictions to the
// queue, a window at a time, so the batch's progress through the queue survives restarts.
import { BATCH_STATUSES } from '@predictq/domain';
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { ANONYMOUS_CLIENT_ID, clients } from './client.schema';
import { createdAt, timestampTz } from './columns';

export const batchStatus = pgEnum('batch_status', BATCH_STATUSES);

export const batches = pgTable(
  'batches',
  {
    id: uuid('id').primaryKey(),
    client_id: uuid('client_id')
      .notNull()
      .default(ANONYMOUS_CLIENT_ID)
      .references(() => clients.id),
    status: batchStatus('status').notNull().default('running'),
    idempotency_key: text('idempotency_key'),
    /** sha256 of the uploaded file, to refuse an idempotency key reused for another file. */
    request_hash: text('request_hash'),
    /** csv | tsv: the delimiter the file used. */
    format: text('format').notNull(),
    /** Data rows of the file (the header not counted). */
    row_count: integer('row_count').notNull().default(0),
    /** Rows stored as predictions. */
    accepted_count: integer('accepted_count').notNull().default(0),
    /** Rows refused by validation (in batch_row_errors). */
    rejected_count: integer('rejected_count').notNull().default(0),
    /** Most predictions of this batch in the queue at once (BATCH_WINDOW when accepted). */
    window_size: integer('window_size').notNull(),
    /** The highest row number handed to the queue so far (0: none). */
    fed_row: integer('fed_row').notNull().default(0),
    created_at: createdAt(),
    completed_at: timestampTz('completed_at'),
    canceled_at: timestampTz('canceled_at'),
  },
  (t) => [
    uniqueIndex('batches_client_idempotency_key_key').on(t.client_id, t.idempotency_key),
    // The list: a client's batches, newest first, by keyset.
    index('batches_client_created_idx').on(t.client_id, t.created_at, t.id),
    // The feeder's pass: the running batches, oldest first.
    index('batches_running_idx')
      .on(t.created_at)
      .where(sql`${t.status} = 'running'`),
  ],
);

export const batchRowErrors = pgTable(
  'batch_row_errors',
  {
    batch_id: uuid('batch_id')
      .notNull()
      .references(() => batches.id, { onDelete: 'cascade' }),
    /** 1-based data row of the file (the header is row 0). */
    row: integer('row').notNull(),
    /** The column (people_age, or people_age.2 for one age); `(row)` for the row as a whole. */
    field: text('field').notNull(),
    reason: text('reason').notNull(),
    /** The row's request_id cell, echoed in the results. */
    request_id: text('request_id'),
  },
  (t) => [primaryKey({ columns: [t.batch_id, t.row, t.field] })],
);

export type BatchRow = typeof batches.$inferSelect;
export type NewBatchRow = typeof batches.$inferInsert;
export type BatchRowErrorRow = typeof batchRowErrors.$inferSelect;
