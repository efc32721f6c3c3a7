// Webhook deliveries: the outbox (one row per event to deliver, written by a trigger in the same
// transaction as the prediction's status change, see migration 0003) and the log of each attempt.
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';

import { createdAt, timestampTz } from './columns';
import { predictions } from './prediction.schema';

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', WEBHOOK_DELIVERY_STATUSES);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    /** Also the webhook-id header: the same on every attempt, so receivers can dedupe. */
    id: uuid('id').primaryKey().defaultRandom(),
    prediction_id: uuid('prediction_id')
      .notNull()
      .references(() => predictions.id, { onDelete: 'cascade' }),
    /** start (processing) or completed (a terminal state). */
    event: text('event').notNull(),
    url: text('url').notNull(),
    status: webhookDeliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** Raised by a redelivery: the job of each round is a new one. */
    round: integer('round').notNull().default(0),
    last_status_code: integer('last_status_code'),
    last_error: text('last_error'),
    created_at: createdAt(),
    /** When a job was last enqueued for it (null: the dispatcher enqueues it). */
    enqueued_at: timestampTz('enqueued_at'),
    delivered_at: timestampTz('delivered_at'),
  },
  (t) => [
    index('webhook_deliveries_prediction_idx').on(t.prediction_id, t.created_at),
    // The dispatcher reads the pending deliveries, oldest first.
    index('webhook_deliveries_pending_idx')
      .on(t.created_at)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    delivery_id: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    created_at: createdAt(),
    /** null when no answer came (refused target, timeout, connection error). */
    status_code: integer('status_code'),
    latency_ms: integer('latency_ms').notNull(),
    error: text('error'),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.delivery_id, t.id)],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;
