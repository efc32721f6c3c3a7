// The producer side of the webhook queue (the worker's dispatcher enqueues from the outbox).
import { Queue } from 'bullmq';

import type { RedisConnection } from './connection';

import {
  type DeliverWebhookPayload,
  deliverWebhookOptions,
  JOBS,
  QUEUES,
  type WebhookRetryPolicy,
} from './jobs';
import { queuePrefix } from './keys';

export type WebhookQueue = Queue<DeliverWebhookPayload, void, typeof JOBS.deliverWebhook>;

export function createWebhookQueue(connection: RedisConnection, prefix: string): WebhookQueue {
  return new Queue(QUEUES.webhook, { connection, prefix: queuePrefix(prefix, QUEUES.webhook) });
}

export async function enqueueDeliveries(
  queue: WebhookQueue,
  deliveries: readonly { id: string; round: number }[],
  retry: WebhookRetryPolicy,
): Promise<void> {
  if (deliveries.length === 0) return;
  await queue.addBulk(
    deliveries.map(({ id, round }) => ({
      name: JOBS.deliverWebhook,
      data: { deliveryId: id },
      opts: deliverWebhookOptions(id, round, retry),
    })),
  );
}
