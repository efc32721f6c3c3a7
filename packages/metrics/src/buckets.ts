// Histogram buckets, in seconds (Prometheus base units).

/** HTTP requests: 1 ms to 10 s (long polls end in the last buckets). */
export const HTTP_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Work inside the worker: 0.5 ms to 5 s. */
export const WORK_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** Time a job waits in the queue: 1 ms to 60 s (a backlog shows in the upper buckets). */
export const WAIT_SECONDS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Predictions per ONNX run. */
export const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 200];

/** Probabilities. */
export const SCORES = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
