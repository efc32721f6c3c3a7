// Webhook deliveries: the dispatcher takes pending ones from the outbox, the sender records each
// attempt, the API shows the log and asks for a redelivery.
import { asc, eq, inArray, sql } from 'drizzle-orm';

import type { Db } from './client';
import { runPrepared } from './prepared';
import {
  clients,
  predictions,
  webhookAttempts,
  type WebhookAttemptRow,
  webhookDeliveries,
  type WebhookDeliveryRow,
} from './schema';

const TAKE_PENDING = `
  UPDATE webhook_deliveries SET enqueued_at = now()
  WHERE id IN (
    SELECT id FROM webhook_deliveries
    WHERE status = 'pending'
      AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $2::double precision))
    ORDER BY created_at LIMIT $1
    FOR UPDATE SKIP LOCKED
  )
  RETURNING id, round`;

/**
 * Pending deliveries to enqueue: those never enqueued, and those enqueued longer than `staleS`
 * ago and still pending (their job may have been lost with Redis; re-adding an existing job is a
 * no-op). Marks them enqueued now.
 */
export function takePendingDeliveries(
  db: Db,
  limit: number,
  staleS: number,
): Promise<{ id: string; round: number }[]> {
  return runPrepared(db, 'take_pending_deliveries', TAKE_PENDING, [limit, staleS]);
}

/** Enqueueing failed: the dispatcher takes them again on its next pass. */
export async function releaseDeliveries(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(webhookDeliveries)
    .set({ enqueued_at: null })
    .where(inArray(webhookDeliveries.id, [...ids]));
}

export interface DeliveryToSend {
  delivery: WebhookDeliveryRow;
  clientId: string;
  /** The client's own secrets, or null (the platform's WEBHOOK_SECRET). */
  clientSecret: string | null;
}

export async function deliveryToSend(db: Db, id: string): Promise<DeliveryToSend | undefined> {
  const [row] = await db
    .select({
      delivery: webhookDeliveries,
      clientId: predictions.client_id,
      clientSecret: clients.webhook_secret,
    })
    .from(webhookDeliveries)
    .innerJoin(predictions, eq(predictions.id, webhookDeliveries.prediction_id))
    .innerJoin(clients, eq(clients.id, predictions.client_id))
    .where(eq(webhookDeliveries.id, id));
  return row;
}

export interface AttemptRecord {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** delivered (2xx), failed (no more retries: dead-lettered), or pending (retried). */
  outcome: 'delivered' | 'failed' | 'pending';
}

/** Logs one attempt and sets the delivery's state, in one transaction. */
export async function recordDeliveryAttempt(
  db: Db,
  deliveryId: string,
  attempt: AttemptRecord,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      delivery_id: deliveryId,
      status_code: attempt.statusCode,
      latency_ms: Math.round(attempt.latencyMs),
      error: attempt.error?.slice(0, 1000) ?? null,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        attempts: sql`${webhookDeliveries.attempts} + 1`,
        last_status_code: attempt.statusCode,
        last_error: attempt.error?.slice(0, 1000) ?? null,
        status: attempt.outcome,
        ...(attempt.outcome === 'delivered' ? { delivered_at: sql`now()` } : {}),
      })
      .where(eq(webhookDeliveries.id, deliveryId));
  });
}

export type DeliveryWithAttempts = WebhookDeliveryRow & { attempt_log: WebhookAttemptRow[] };

/** A prediction's deliveries, oldest first, each with its attempts. */
export async function listDeliveries(
  db: Db,
  predictionId: string,
): Promise<DeliveryWithAttempts[]> {
  const deliveries = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.prediction_id, predictionId))
    .orderBy(asc(webhookDeliveries.created_at));
  if (deliveries.length === 0) return [];
  const attempts = await db
    .select()
    .from(webhookAttempts)
    .where(
      inArray(
        webhookAttempts.delivery_id,
        deliveries.map((d) => d.id),
      ),
    )
    .orderBy(asc(webhookAttempts.id));
  return deliveries.map((d) => ({
    ...d,
    attempt_log: attempts.filter((a) => a.delivery_id === d.id),
  }));
}

/** Sends the delivery again (same webhook-id, a new round of attempts); undefined if unknown. */
export async function redeliver(
  db: Db,
  predictionId: string,
  deliveryId: string,
): Promise<WebhookDeliveryRow | undefined> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({
      status: 'pending',
      round: sql`${webhookDeliveries.round} + 1`,
      enqueued_at: null,
    })
    .where(
      sql`${webhookDeliveries.id} = ${deliveryId} AND ${webhookDeliveries.prediction_id} = ${predictionId}`,
    )
    .returning();
  return row;
}
