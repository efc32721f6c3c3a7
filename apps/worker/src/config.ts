// The worker's environment: the shared variables plus its own.
import {
  boolean,
  commonEnvShape,
  driftEnvShape,
  parseEnv,
  port,
  positiveInt,
  positiveNumber,
  retrainPolicyEnvShape,
  type Env,
} from '@predictq/config';
import { RETRAIN_ROLLOUTS, retrainRolloutPolicy } from '@predictq/rollout';
import { z } from 'zod';

/** RETRAIN_ROLLOUT_POLICY: a JSON object, checked as the rollout body it becomes. */
const retrainRolloutSettings = z
  .string()
  .default('{}')
  .transform((text, ctx): Record<string, unknown> => {
    let settings: unknown;
    try {
      settings = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not JSON: a JSON object of rollout settings' });
      return z.NEVER;
    }
    try {
      retrainRolloutPolicy('canary', settings);
    } catch (error) {
      const issues = error instanceof z.ZodError ? error.issues : [];
      ctx.addIssue({
        code: 'custom',
        message: issues
          .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
          .join('; '),
      });
      return z.NEVER;
    }
    return settings as Record<string, unknown>;
  });

export const workerEnvSchema = z.object({
  ...commonEnvShape,
  ...driftEnvShape,
  ...retrainPolicyEnvShape,
  /** Jobs a worker holds at once; micro-batches form from them. */
  WORKER_CONCURRENCY: positiveInt(64),
  /** Port of the worker's /metrics and /healthz. */
  WORKER_METRICS_PORT: port(9464),
  /** Interface of the worker's /metrics and /healthz. */
  WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  /** Stays stored per prediction (the top K of its ranking). */
  RESULTS_TOP_K: positiveInt(10),
  /** Most predictions scored in one ONNX run (at most 200: their ids fit one notification). */
  BATCH_MAX_SIZE: z.coerce.number().int().min(1).max(200).default(64),
  /** Micro-batches running at once. */
  BATCH_MAX_IN_FLIGHT: positiveInt(2),
  /**
   * A job whose micro-batch has not finished this long after it joined is put back (a hung
   * database); a batch still running at twice this makes /healthz answer 503.
   */
  BATCH_DEADLINE_MS: positiveInt(10_000),
  /** The candidate stage drops stays priced above budget × this. */
  CANDIDATE_MAX_PRICE_RATIO: positiveNumber(1.5),
  /** How often the worker checks for a new catalogue, active model or traffic split. */
  REFRESH_INTERVAL_MS: positiveInt(2_000),
  /** How often the recovery sweep looks for predictions the queue lost. */
  SWEEP_INTERVAL_MS: positiveInt(30_000),
  /** A prediction unfinished for this long is checked against the queue by the sweep. */
  SWEEP_AFTER_MS: positiveInt(60_000),
  /** Unfinished predictions the sweep reads and checks per page. */
  SWEEP_PAGE_SIZE: positiveInt(1_000),
  /** How often the batch feeder tops up the running batches' windows in the queue. */
  BATCH_FEED_INTERVAL_MS: positiveInt(250),
  /** How often the feeder checks its windows' jobs (re-enqueues lost ones, as the sweep does). */
  BATCH_WINDOW_CHECK_MS: positiveInt(5_000),
  /** Running batches the feeder serves per pass (oldest first). */
  BATCH_FEED_MAX_BATCHES: positiveInt(50),
  /** BullMQ job lock; a crashed worker's jobs are taken over once it expires. */
  JOB_LOCK_MS: positiveInt(30_000),
  /** How often BullMQ checks for stalled jobs (of crashed workers). */
  STALLED_INTERVAL_MS: positiveInt(30_000),
  /**
   * Times a job may stall (its worker died or lost the lock while holding it) and be taken
   * again; one more and it fails. A backstop: poison is told by POISON_MAX_CRASHES first.
   */
  STALLED_MAX_COUNT: positiveInt(10),
  /**
   * A job that stalled is scored alone; when that kills its worker this many times, the
   * prediction ends failed as poison (its own fault), whatever happened to its neighbours.
   */
  POISON_MAX_CRASHES: positiveInt(2),
  /** How long a job put back because a dependency was down waits before it is taken again. */
  OUTAGE_RETRY_DELAY_MS: positiveInt(1_000),
  /** While a dependency is down, how often the worker checks whether it answers again. */
  DEPENDENCY_PROBE_INTERVAL_MS: positiveInt(500),
  /**
   * How often the rollout decision loop checks a running rollout (shadow or canary) and decides;
   * one worker decides a round (an advisory lock), whatever the number of workers.
   */
  ROLLOUT_DECISION_INTERVAL_MS: positiveInt(10_000),
  /**
   * The rollout the platform starts for a candidate the retraining policy's run trained, when the
   * offline rule lets it be tried: canary, shadow_then_canary, shadow (its report, then the
   * operator decides) or none (the candidate waits for the operator). Such a run never activates
   * its candidate itself.
   */
  RETRAIN_ROLLOUT: z.enum(RETRAIN_ROLLOUTS).default('canary'),
  /**
   * That rollout's settings: a JSON object of POST /v1/models/{id}/rollout's fields but mode
   * (share, alpha, min_feedback, max_feedback, shadow_sample, guards...); the API's defaults for
   * the rest.
   */
  RETRAIN_ROLLOUT_POLICY: retrainRolloutSettings,
  /** Seed the catalogue and the baseline model when they are missing (first start). */
  BOOTSTRAP: boolean(true),
  /** Take training jobs too (one at a time, in a worker thread). */
  TRAINING_ENABLED: boolean(true),
  /** Most recent labelled rows (shown stays with feedback) a training run uses. */
  TRAINING_MAX_ROWS: positiveInt(50_000),
  /** Fewer labelled rows than this: the run fails and nothing changes. */
  TRAINING_MIN_ROWS: positiveInt(200),
  /** Share of the labelled predictions held out to compare the candidate with the active model. */
  TRAINING_HOLDOUT_FRACTION: z.coerce.number().gt(0).lt(1).default(0.2),
  /** Training epochs. */
  TRAINING_EPOCHS: positiveInt(20),
  /**
   * A feedback row's weight in training and evaluation halves with every this many hours of age
   * (counted back from the newest feedback); 0 weighs every row alike.
   */
  TRAINING_RECENCY_HALF_LIFE_HOURS: z.coerce.number().min(0).default(24),
  // The promotion rule (packages/training/src/promotion-rule.ts; README, "The promotion rule").
  /** Effective held-out predictions a segment needs to count on its own (smaller ones pool). */
  PROMOTE_MIN_SEGMENT_PREDICTIONS: positiveInt(30),
  /** Relative gain in log-loss or MRR that makes a candidate clearly better (overall, or fixing). */
  PROMOTE_MIN_GAIN: z.coerce.number().min(0).max(1).default(0.05),
  /**
   * Share of the stays a failing segment's users rejected that a candidate must stop showing
   * (beyond the active model) to count as fixing it.
   */
  PROMOTE_MIN_REPLACED: z.coerce.number().min(0).max(1).default(0.5),
  /** Relative loss in log-loss or MRR on any segment beyond which a candidate is refused. */
  PROMOTE_MAX_HARM: z.coerce.number().min(0).default(0.25),
  /** The active model fails a segment whose users accept less than this share of its rankings… */
  PROMOTE_FAILING_ACCEPTANCE: z.coerce.number().min(0).max(1).default(0.3),
  /** …or whose "none fitted" rate it misjudges by more than this (absolute). */
  PROMOTE_FAILING_NONE_ERROR: z.coerce.number().min(0).max(1).default(0.3),
  /** How often unfinished predictions past their deadline (cancel_after) are canceled. */
  DEADLINE_INTERVAL_MS: positiveInt(1_000),
  /**
   * Webhook signing secrets (whsec_ + base64, Standard Webhooks), space-separated while
   * rotating (each signs). Clients may have their own. Unset: deliveries of clients without a
   * secret fail (logged), they are never sent unsigned.
   */
  WEBHOOK_SECRET: z
    .string()
    .regex(
      /^whsec_[A-Za-z0-9+/=]{16,}( whsec_[A-Za-z0-9+/=]{16,})*$/,
      'one or more whsec_... secrets, space-separated',
    )
    .optional(),
  /** The API's public address, for the link sent instead of a payload over the size cap. */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8000'),
  /** Largest webhook payload; a larger prediction is sent as a link to it. */
  WEBHOOK_MAX_PAYLOAD_BYTES: positiveInt(256 * 1024),
  /** A receiver has this long to answer one delivery attempt. */
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** Tries per delivery before it is dead-lettered. */
  WEBHOOK_MAX_ATTEMPTS: positiveInt(12),
  /** First retry delay of a delivery; then doubling with jitter (12 tries from 20 s: ~a day). */
  WEBHOOK_BACKOFF_MS: positiveInt(20_000),
  /** Deliveries a worker process sends at once (receivers are independent of each other). */
  WEBHOOK_CONCURRENCY: positiveInt(32),
  /** How often the outbox is read for deliveries to enqueue. */
  WEBHOOK_DISPATCH_INTERVAL_MS: positiveInt(250),
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  return parseEnv(workerEnvSchema, env);
}
