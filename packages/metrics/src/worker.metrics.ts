// The worker's metrics: where a job's time goes (queue wait, scoring, persisting), batch sizes,
// outcomes by model version, the top score's distribution, the models it serves with, and how
// busy it is.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

import { createBatchWorkerMetrics } from './batch.metrics';
import { BATCH_SIZES, SCORES, WAIT_SECONDS, WORK_SECONDS } from './buckets';

export function createWorkerMetrics(registry: Registry) {
  return {
    /** The batch feeder's and the batch rows' (batch.metrics.ts). */
    ...createBatchWorkerMetrics(registry),
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
    paused: new Gauge({
      name: 'predictq_worker_paused',
      help: 'Whether this worker stopped taking jobs because a dependency is down (1) or not (0).',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
    outageDeferrals: new Counter({
      name: 'predictq_job_outage_deferrals_total',
      help: 'Jobs put back without counting an attempt, by cause: a dependency down (database, redis) or a stuck micro-batch they waited behind (stuck).',
      labelNames: ['queue', 'cause'] as const,
      registers: [registry],
    }),
    recovered: new Counter({
      name: 'predictq_recovered_total',
      help: 'Work the recovery sweep re-enqueued or ended, by kind (prediction, training) and action.',
      labelNames: ['kind', 'action'] as const,
      registers: [registry],
    }),
    rolloutRunning: new Gauge({
      name: 'predictq_rollout_running',
      help: 'Whether a rollout runs (1) or not (0), by mode (shadow, canary), as the decision loop last saw it.',
      labelNames: ['mode'] as const,
      registers: [registry],
    }),
    rolloutAcceptance: new Gauge({
      name: 'predictq_rollout_acceptance_ratio',
      help: "A running canary's online acceptance per arm (candidate, active), since it started.",
      labelNames: ['arm'] as const,
      registers: [registry],
    }),
    rolloutEvidence: new Gauge({
      name: 'predictq_rollout_evidence_ratio',
      help: "A running canary's sequential-test evidence: log likelihood ratio over its threshold (1 = conclusive).",
      registers: [registry],
    }),
    rolloutShadowOverlap: new Gauge({
      name: 'predictq_rollout_shadow_overlap_ratio',
      help: "A running shadow's mean overlap@K with the served rankings (0 to 1).",
      registers: [registry],
    }),
    rolloutDecisions: new Counter({
      name: 'predictq_rollout_decisions_total',
      help: 'Rollout decisions the decision loop of this worker took, by decision (promote, rollback, complete).',
      labelNames: ['decision'] as const,
      registers: [registry],
    }),
    shadowScored: new Counter({
      name: 'predictq_shadow_predictions_total',
      help: 'Predictions a shadow model also scored, by outcome (stored, failed); never served.',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    retrainTriggers: new Counter({
      name: 'predictq_retrain_triggers_total',
      help: 'Training runs the retraining policy started, by trigger (drift, feedback).',
      labelNames: ['trigger'] as const,
      registers: [registry],
    }),
    sweepDuration: new Histogram({
      name: 'predictq_sweep_duration_seconds',
      help: 'Time of one recovery sweep pass, by trigger (interval, redis_reset).',
      labelNames: ['trigger'] as const,
      buckets: WORK_SECONDS,
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'predictq_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (delivered, retried, dead: the last try failed).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookLatency: new Histogram({
      name: 'predictq_webhook_attempt_seconds',
      help: 'Time of one webhook delivery attempt (to the answer, or the failure).',
      buckets: WORK_SECONDS,
      registers: [registry],
    }),
    webhookTruncated: new Counter({
      name: 'predictq_webhook_truncated_total',
      help: 'Webhook payloads over WEBHOOK_MAX_PAYLOAD_BYTES, sent as a link to the prediction.',
      registers: [registry],
    }),
    deadlineCanceled: new Counter({
      name: 'predictq_deadline_canceled_total',
      help: 'Predictions canceled because their deadline (cancel_after) passed.',
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
