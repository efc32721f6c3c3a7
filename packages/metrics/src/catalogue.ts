// Every metric family the services document (the README's metrics table, the dashboards and the
// alert rules use only these), and the process that exposes each.

export const API_METRIC_FAMILIES = [
  'predictq_http_requests_total',
  'predictq_http_request_duration_seconds',
  'predictq_predictions_submitted_total',
  'predictq_validation_rejections_total',
  'predictq_feedback_total',
  'predictq_queue_jobs',
  'predictq_queue_oldest_wait_seconds',
  'predictq_requests_refused_total',
  'predictq_batches_submitted_total',
  'predictq_batch_rows_total',
] as const;

export const WORKER_METRIC_FAMILIES = [
  'predictq_job_queue_wait_seconds',
  'predictq_job_duration_seconds',
  'predictq_scoring_duration_seconds',
  'predictq_persist_duration_seconds',
  'predictq_onnx_batch_predictions',
  'predictq_predictions_completed_total',
  'predictq_prediction_top_score',
  'predictq_model_info',
  'predictq_model_traffic_share_ratio',
  'predictq_worker_jobs_in_flight',
  'predictq_worker_concurrency',
  'predictq_worker_paused',
  'predictq_job_outage_deferrals_total',
  'predictq_recovered_total',
  'predictq_sweep_duration_seconds',
  'predictq_rollout_running',
  'predictq_rollout_acceptance_ratio',
  'predictq_rollout_evidence_ratio',
  'predictq_rollout_shadow_overlap_ratio',
  'predictq_rollout_decisions_total',
  'predictq_shadow_predictions_total',
  'predictq_batches_running',
  'predictq_batch_rows_in_flight',
  'predictq_batch_rows_fed_total',
  'predictq_batch_rows_scored_total',
] as const;

/** A sample of the default process metrics every process exposes. */
export const PROCESS_METRIC_FAMILIES = [
  'predictq_process_cpu_seconds_total',
  'predictq_process_resident_memory_bytes',
  'predictq_nodejs_eventloop_lag_seconds',
  'predictq_nodejs_heap_size_used_bytes',
] as const;
