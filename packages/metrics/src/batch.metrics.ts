// Batches: rows accepted and rejected at upload (API), and the feeder's view of the queue
// (worker): batches running, their rows in the queue, rows handed to the queue.
import { Counter, Gauge, type Registry } from 'prom-client';

export function createBatchApiMetrics(registry: Registry) {
  return {
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
}
export type BatchApiMetrics = ReturnType<typeof createBatchApiMetrics>;

export function createBatchWorkerMetrics(registry: Registry) {
  return {
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
  };
}
export type BatchWorkerMetrics = ReturnType<typeof createBatchWorkerMetrics>;
