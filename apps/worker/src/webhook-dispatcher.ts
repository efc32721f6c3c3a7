// The outbox's reader: pending deliveries (written by the trigger with the status change) are
// enqueued on the webhook queue. One that stays pending long after it was enqueued (its job lost
// with Redis) is enqueued again; an existing job of the same round makes that a no-op. So every
// delivery is attempted at least once, whatever crashed in between.
import { type Db, releaseDeliveries, takePendingDeliveries } from '@predictq/db';
import { enqueueDeliveries, type WebhookQueue, type WebhookRetryPolicy } from '@predictq/queue';

/** Enqueued deliveries still pending after this long are enqueued again. */
const STALE_S = 600;
const PAGE = 200;

export async function dispatchDeliveries(
  db: Db,
  queue: WebhookQueue,
  retry: WebhookRetryPolicy,
): Promise<number> {
  let total = 0;
  for (;;) {
    const deliveries = await takePendingDeliveries(db, PAGE, STALE_S);
    try {
      await enqueueDeliveries(queue, deliveries, retry);
    } catch (error) {
      await releaseDeliveries(
        db,
        deliveries.map((d) => d.id),
      );
      throw error;
    }
    total += deliveries.length;
    if (deliveries.length < PAGE) return total;
  }
}
