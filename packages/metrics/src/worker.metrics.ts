// The worker's metrics: where a job's time goes (queue wait, scoring, persisting), batch sizes,
// outcomes by model version, the top score's distribution, the models it serves with, and how
// busy it is.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import { BATCH_SIZES, SCORES, WAIT_SECONDS, WORK_SECONDS } from './buckets';

export function createWorkerMetrics(registry: Registry) {
  return {
    queueWait: new Histogram({
      name: 'predictq_job_queue_wait_seconds',
      help: 'Time from enqueueing a job to a worker taking it.',
      labelNames: ['queue'] as const,
      buckets: WAIT_SECONDS,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'predictq_job_duration_seconds',
      help: 'Time a worker spends on one job (batching wait, scoring and persisting), by outcome.',
      labelNames: ['queue', 'outcome'] as const,
      buckets: WORK_SECONDS,
      registers: [registry],
    }),
    scoringDuration: new Histogram({
      name: 'predictq_scoring_duration_seconds',
      help: 'Time to build the features and run ONNX for one micro-batch.',
      buckets: WORK_SECONDS,
      registers: [registry],
    }),
    persistDuration: new Histogram({
      name: 'predictq_persist_duration_seconds',
      help: 'Time to store the rankings of one micro-batch (one statement).',
      buckets: WORK_SECONDS,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'predictq_onnx_batch_predictions',
      help: 'Predictions scored together in one micro-batch (one ONNX run per model).',
      buckets: BATCH_SIZES,
      registers: [registry],
    }),
    predictionsCompleted: new Counter({
      name: 'predictq_predictions_completed_total',
      help: 'Predictions that reached a terminal state, by status and the scoring model version.',
      labelNames: ['status', 'model_version'] as const,
      registers: [registry],
    }),
    topScore: new Histogram({
      name: 'predictq_prediction_top_score',
      help: 'Score of the best-ranked stay of each prediction, by model version.',
      labelNames: ['model_version'] as const,
      buckets: SCORES,
      registers: [registry],
    }),
    modelInfo: new Gauge({
      name: 'predictq_model_info',
      help: 'The models this worker scores with (1 each): role active or canary.',
      labelNames: ['model_id', 'model_version', 'role'] as const,
      registers: [registry],
    }),
    modelTrafficShare: new Gauge({
      name: 'predictq_model_traffic_share_ratio',
      help: 'Share of new predictions assigned to each model version (0 to 1).',
      labelNames: ['model_version'] as const,
      registers: [registry],
    }),
    jobsInFlight: new Gauge({
      name: 'predictq_worker_jobs_in_flight',
      help: 'Jobs this worker holds right now (waiting for a batch or being scored).',
      registers: [registry],
    }),
    concurrency: new Gauge({
      name: 'predictq_worker_concurrency',
      help: 'Most jobs this worker holds at once (WORKER_CONCURRENCY).',
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
