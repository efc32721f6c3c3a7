// The API's metrics: HTTP traffic by route template, predictions submitted, validation
// rejections, feedback by outcome and model version, and the queues' job counts (read from
// BullMQ at scrape time).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import { HTTP_SECONDS } from './buckets';

export const QUEUE_STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export interface QueueCounts {
  name: string;
  counts: () => Promise<Partial<Record<QueueState, number>>>;
}

/** Why a request was refused before any work (503 or 429, always with Retry-After). */
export const REFUSAL_REASONS = [
  'overloaded',
  'rate_limited',
  'database_busy',
  'database_unavailable',
] as const;

export function createApiMetrics(registry: Registry, queues: readonly QueueCounts[] = []) {
  const queueJobs = new Gauge({
    name: 'predictq_queue_jobs',
    help: 'Jobs in each BullMQ queue by state, read at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      // A scrape while Redis is away leaves the last values out rather than failing /metrics.
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          const counts = await queue.counts().catch(() => undefined);
          if (!counts) return;
          for (const state of QUEUE_STATES) {
            this.set({ queue: queue.name, state }, counts[state] ?? 0);
          }
        }),
      );
    },
  });
  const refusals = new Counter({
    name: 'predictq_requests_refused_total',
    help: 'Requests refused with Retry-After (503 or 429), by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  // Every reason exists from the start (at 0), so rates and dashboards have a series to read.
  for (const reason of REFUSAL_REASONS) refusals.inc({ reason }, 0);
  return {
    queueJobs,
    refusals,
    httpRequests: new Counter({
      name: 'predictq_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'predictq_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (long polls included), by method, route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_SECONDS,
      registers: [registry],
    }),
    predictionsSubmitted: new Counter({
      name: 'predictq_predictions_submitted_total',
      help: 'Predictions accepted (idempotent replays not counted), by API flavour.',
      labelNames: ['api'] as const,
      registers: [registry],
    }),
    validationRejections: new Counter({
      name: 'predictq_validation_rejections_total',
      help: 'Requests rejected before anything was stored, by route and error code.',
      labelNames: ['route', 'code'] as const,
      registers: [registry],
    }),
    oldestWait: new Gauge({
      name: 'predictq_queue_oldest_wait_seconds',
      help: 'Age of the oldest job waiting in the queue, as the admission control last sampled it.',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    feedback: new Counter({
      name: 'predictq_feedback_total',
      help: 'Feedback recorded, by outcome (chosen or none) and the version of the model that ranked.',
      labelNames: ['outcome', 'model_version'] as const,
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
