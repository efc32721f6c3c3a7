// The webhook queue's worker: one job per delivery round. Each attempt re-checks the target (DNS
// may have changed since submission), signs the payload (Standard Webhooks) with the client's
// secrets or WEBHOOK_SECRET, sends it with a timeout and no redirects, and logs the attempt. A
// failed attempt is thrown so BullMQ retries it with backoff; the last one dead-letters the
// delivery. Its own queue and concurrency: a slow or dead receiver never delays scoring, and
// holds one slot of WEBHOOK_CONCURRENCY at most for WEBHOOK_TIMEOUT_MS. A worker killed
// mid-attempt loses nothing: the job stalls and is taken again (the attempt is sent once more).
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { type Db, deliveryToSend, recordDeliveryAttempt } from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import type { WorkerMetrics } from '@predictq/metrics';
import { webhookPayload } from '@predictq/predictions';
import {
  deliverWebhookPayload,
  type DeliverWebhookPayload,
  queuePrefix,
  QUEUES,
  type RedisConnection,
} from '@predictq/queue';
import { sendWebhook, signatureHeaders, type TargetPolicy } from '@predictq/webhooks';

export interface WebhookWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  concurrency: number;
  timeoutMs: number;
  /** JOB_LOCK_MS: a worker killed mid-attempt leaves its job locked this long at most. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  maxPayloadBytes: number;
  publicBaseUrl: string;
  secret: string | undefined;
  policy: TargetPolicy;
}

export function createWebhookWorker(
  deps: { db: Db; logger: Logger; metrics: WorkerMetrics },
  options: WebhookWorkerOptions,
): Worker<DeliverWebhookPayload> {
  const { db, logger, metrics } = deps;

  const processor = async (job: Job<DeliverWebhookPayload>): Promise<void> => {
    const parsed = deliverWebhookPayload.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
    const { deliveryId } = parsed.data;
    const found = await deliveryToSend(db, deliveryId);
    // Delivered already (a duplicate job), or gone with its prediction: nothing to do.
    if (!found || found.delivery.status !== 'pending') return;
    const { delivery, clientId, clientSecret } = found;
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const secret = clientSecret ?? options.secret;
    const payload = await webhookPayload(db, delivery.prediction_id, clientId, {
      maxBytes: options.maxPayloadBytes,
      publicBaseUrl: options.publicBaseUrl,
    });
    let result;
    if (!secret) {
      result = {
        ok: false,
        statusCode: null,
        latencyMs: 0,
        error: 'no signing secret: set WEBHOOK_SECRET',
      };
    } else if (!payload) {
      return;
    } else {
      if (payload.truncated) metrics.webhookTruncated.inc();
      result = await sendWebhook({
        url: delivery.url,
        payload: payload.body,
        headers: signatureHeaders(secret, delivery.id, new Date(), payload.body),
        timeoutMs: options.timeoutMs,
        policy: options.policy,
      });
    }
    const outcome = result.ok ? 'delivered' : final ? 'failed' : 'pending';
    metrics.webhookAttempts.inc({ outcome: result.ok ? 'delivered' : final ? 'dead' : 'retried' });
    metrics.webhookLatency.observe(result.latencyMs / 1000);
    await recordDeliveryAttempt(db, deliveryId, {
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      outcome,
    });
    if (!result.ok) {
      logger.info(final ? 'webhook delivery dead-lettered' : 'webhook attempt failed; will retry', {
        deliveryId,
        predictionId: delivery.prediction_id,
        statusCode: result.statusCode,
        error: result.error,
      });
      throw new Error(result.error ?? 'delivery failed');
    }
  };

  const worker = new Worker<DeliverWebhookPayload>(QUEUES.webhook, processor, {
    connection: options.connection,
    prefix: queuePrefix(options.prefix, QUEUES.webhook),
    concurrency: options.concurrency,
    // An attempt lasts at most the timeout; the lock outlives it. A worker killed mid-attempt
    // leaves the job active: once its lock expires, a live worker takes it as stalled and sends
    // the delivery again (the same webhook-id). Each stall counts against maxStalledCount, so
    // the crash tolerance is the inference queue's, not BullMQ's default of one.
    lockDuration: Math.max(options.lockDurationMs, options.timeoutMs * 3),
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
    autorun: false,
  });
  worker.on('error', (error) =>
    logger.error('webhook worker error', { error: errorMessage(error) }),
  );
  return worker;
}
