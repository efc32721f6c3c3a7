// The rollout's part of the API contract: the policy an operator starts (defaults filled in, so
// the parsed body is the whole policy the platform stores and follows), and what the platform
// reports about it.
import {
  MODEL_STATUSES,
  ROLLOUT_DECISIONS,
  ROLLOUT_MODES,
  ROLLOUT_STATUSES,
} from '@predictq/domain';
import { z } from 'zod';

export const rolloutGuardsSchema = z
  .strictObject({
    max_error_rate: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe("Roll back when more than this share of the candidate's predictions fail."),
    max_latency_ratio: z
      .number()
      .min(1)
      .default(3)
      .describe(
        "Roll back when the p95 latency of the candidate's predictions exceeds the active model's times this.",
      ),
    min_predictions: z
      .number()
      .int()
      .min(1)
      .default(50)
      .describe(
        'Predictions the candidate must have scored before the error and latency guards act.',
      ),
    collapse_ratio: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        "Roll back when the candidate's acceptance is surely (99% Wilson upper bound) below the active model's times this.",
      ),
    collapse_min_feedback: z
      .number()
      .int()
      .min(1)
      .default(30)
      .describe('Feedback on the candidate before the collapse guard acts.'),
  })
  .meta({ id: 'RolloutGuards' });

export const rolloutRequestBody = z
  .strictObject({
    mode: z.enum(ROLLOUT_MODES).describe('shadow: also scored, never served; canary: served.'),
    share: z
      .number()
      .gt(0)
      .max(1)
      .default(0.2)
      .describe('canary: share of new predictions it serves; shadow: share it also scores.'),
    alpha: z
      .number()
      .gt(0)
      .max(0.5)
      .default(0.05)
      .describe(
        'Level of the sequential test: its chance of a false verdict, looked at continuously.',
      ),
    mixture_sd: z
      .number()
      .gt(0)
      .max(1)
      .default(0.1)
      .describe(
        'Scale of the differences in acceptance the test is tuned to find (mSPRT mixture).',
      ),
    min_feedback: z
      .number()
      .int()
      .min(10)
      .default(100)
      .describe('Feedback each arm needs before the test may conclude.'),
    max_feedback: z
      .number()
      .int()
      .min(10)
      .default(5000)
      .describe('Feedback on the candidate after which an inconclusive canary is rolled back.'),
    shadow_sample: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe(
        'shadow: compared predictions after which the shadow run completes with its report.',
      ),
    guards: rolloutGuardsSchema.prefault({}),
    force: z
      .boolean()
      .default(false)
      .describe('Try a candidate that the offline promotion rule refused (its stored verdict).'),
    next: z
      .enum(['canary'])
      .optional()
      .describe(
        'shadow only: once the shadow run completes, the platform starts a canary of the same candidate with this policy.',
      ),
  })
  .refine((p) => p.max_feedback >= p.min_feedback, {
    message: 'must be at least min_feedback',
    path: ['max_feedback'],
  })
  .refine((p) => p.next === undefined || p.mode === 'shadow', {
    message: 'only a shadow rollout has a next step',
    path: ['next'],
  })
  .meta({ id: 'RolloutRequest' });
export type RolloutPolicy = z.output<typeof rolloutRequestBody>;

const armSchema = z.object({
  model_id: z.uuid(),
  predictions: z.number().int(),
  failed: z.number().int(),
  feedback: z.number().int(),
  chosen: z.number().int(),
  acceptance: z.number().nullable(),
  acceptance_interval: z.tuple([z.number(), z.number()]).nullable(),
  p95_latency_ms: z.number().nullable(),
});

/** The figures of a check (canary or shadow); loose: the rollout package owns the full shape. */
export const rolloutFiguresSchema = z
  .looseObject({
    candidate: armSchema.optional(),
    active: armSchema.optional(),
    test: z
      .looseObject({
        verdict: z.string(),
        difference: z.number().nullable(),
        log_likelihood_ratio: z.number(),
        threshold: z.number(),
        interval: z
          .tuple([z.number(), z.number()])
          .nullable()
          .describe('Always-valid (1 - alpha) interval of the difference in acceptance.'),
      })
      .optional(),
    guard: z.string().nullable().optional(),
    shadow: z
      .looseObject({
        compared: z.number().int(),
        overlap_at_k: z.number().nullable(),
        top1_agreement: z.number().nullable(),
        predicted_acceptance: z.object({
          candidate: z.number().nullable(),
          active: z.number().nullable(),
        }),
        feedback: z.object({
          chosen: z.number().int(),
          kept_chosen: z
            .number()
            .nullable()
            .describe('Share of the chosen stays that the candidate would show too.'),
          none: z.number().int(),
          replaced_rejected: z
            .number()
            .nullable()
            .describe('Mean share of a rejected ranking the candidate would not show.'),
        }),
      })
      .optional(),
  })
  .meta({ id: 'RolloutFigures' });

export const rolloutDecisionSchema = z
  .object({
    decision: z.enum(ROLLOUT_DECISIONS),
    reason: z.string(),
    figures: rolloutFiguresSchema.nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'RolloutDecision' });

export const rolloutSchema = z
  .object({
    id: z.uuid(),
    model_id: z.uuid(),
    model_status: z.enum(MODEL_STATUSES),
    baseline_model_id: z.uuid(),
    mode: z.enum(ROLLOUT_MODES),
    status: z.enum(ROLLOUT_STATUSES),
    share: z.number(),
    policy: z.record(z.string(), z.unknown()),
    last_check: rolloutFiguresSchema.nullable(),
    checked_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    ended_at: z.iso.datetime().nullable(),
    decisions: z.array(rolloutDecisionSchema),
  })
  .meta({ id: 'Rollout' });

export const rolloutListSchema = z
  .object({
    model_id: z.uuid(),
    current: rolloutSchema.nullable().describe('The latest rollout of this model, if any.'),
    rollouts: z.array(rolloutSchema).describe('Every rollout of this model, newest first.'),
  })
  .meta({ id: 'ModelRollouts' });

export type RolloutBody = z.infer<typeof rolloutSchema>;
export type RolloutFiguresBody = z.infer<typeof rolloutFiguresSchema>;
