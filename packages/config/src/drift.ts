// Input drift: the window the statistic is computed over and its threshold (API and worker read
// them), and the optional retraining policy (worker only; off by default).
import { z } from 'zod';

import { boolean, nonNegativeInt, positiveInt } from './env';

export const driftEnvShape = {
  /** The drift window: requests created in the last this many minutes… */
  DRIFT_WINDOW_MINUTES: positiveInt(60),
  /** …and at most this many of them, the newest (one bounded, indexed read). */
  DRIFT_WINDOW_MAX_REQUESTS: positiveInt(2_000),
  /** Fewer requests in the window than this: no statistic (too noisy to tell). */
  DRIFT_MIN_REQUESTS: positiveInt(200),
  /** A feature drifted when its PSI against the active model's training baseline reaches this. */
  DRIFT_PSI_THRESHOLD: z.coerce.number().positive().default(0.25),
  /** How long a computed statistic is reused (GET /v1/drift and the /metrics gauges). */
  DRIFT_CACHE_TTL_MS: positiveInt(30_000),
} as const;

export const retrainPolicyEnvShape = {
  /** Start a retraining on its own when drift or new feedback says so (one worker decides). */
  RETRAIN_POLICY_ENABLED: boolean(false),
  /** How often the policy looks. */
  RETRAIN_POLICY_INTERVAL_MS: positiveInt(60_000),
  /** Retrain when this much feedback arrived since the newest training run; 0: never for this. */
  RETRAIN_MIN_NEW_FEEDBACK: nonNegativeInt(2_000),
  /** A drift trigger also needs this much new feedback, so the candidate has something to learn. */
  RETRAIN_DRIFT_MIN_NEW_FEEDBACK: nonNegativeInt(200),
  /** No trigger within this many minutes of the previous one. */
  RETRAIN_COOLDOWN_MINUTES: nonNegativeInt(60),
} as const;
