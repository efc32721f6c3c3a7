// Batches: rows accepted and rejected at upload (API), and the feeder's view of the queue
// (worker): batches running, their rows in the queue, rows handed to the queue, and the batch
// rows the worker scored (their rate is the batches' rows per second). The labelled series start
// at 0, so the dashboards have a line before the first batch.
import { Counter, Gauge, type Registry } from 'prom-client';

export function createBatchApiMetrics(registry: Registry) {
  const metrics = {
    batchesSubmitted: new Counter({
      name: 'predictq_batches_submitted_total',
      help: 'Batches accepted (POST /v1/batches answered 202 with a new batch).',
      registers: [registry],
    }),
    batchRows: new Counter({
      name: 'predictq_batch_rows_total',
      help: 'Rows of accepted batches: accepted (a prediction) or rejected (invalid, never scored).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
  for (const outcome of ['accepted', 'rejected']) metrics.batchRows.inc({ outcome }, 0);
  return metrics;
}
export type BatchApiMetrics = ReturnType<typeof createBatchApiMetrics>;

export function createBatchWorkerMetrics(registry: Registry) {
  const metrics = {
    batchesRunning: new Gauge({
      name: 'predictq_batches_running',
      help: 'Batches with unfinished predictions, as the last feeder pass saw them.',
      registers: [registry],
    }),
    batchRowsInFlight: new Gauge({
      name: 'predictq_batch_rows_in_flight',
      help: 'Batch predictions in the queue (queued or processing), as the last feeder pass saw them.',
      registers: [registry],
    }),
    batchRowsFed: new Counter({
      name: 'predictq_batch_rows_fed_total',
      help: 'Batch predictions the feeder handed to the queue.',
      registers: [registry],
    }),
    batchRowsScored: new Counter({
      name: 'predictq_batch_rows_scored_total',
      help: 'Batch predictions the worker ended, succeeded or failed (its rate: rows per second).',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
  };
  for (const status of ['succeeded', 'failed']) metrics.batchRowsScored.inc({ status }, 0);
  return metrics;
}
export type BatchWorkerMetrics = ReturnType<typeof createBatchWorkerMetrics>;
