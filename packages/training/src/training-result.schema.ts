// What a training run stores: its result (training_runs.result) and the offline evaluation kept
// in the candidate's metrics (models.metrics.evaluation). The worker writes them through these
// schemas, so scripts and tests can read them back typed with trainingResultSchema.parse.
import { choiceMetricsSchema, metricsSchema } from '@predictq/model';
import { z } from 'zod';

/** The promotion rule's thresholds (see promotion-rule.ts for what each one decides). */
export const promotionThresholdsSchema = z.object({
  /** Effective held-out predictions a segment needs to count on its own. */
  minSegmentPredictions: z.number().int().min(1),
  /** Relative gain (log-loss or MRR) that makes a candidate clearly better. */
  minGain: z.number().min(0).max(1),
  /**
   * Share of the stays users of a failing segment rejected (all of a "none fitted" answer) that
   * a candidate must no longer show, beyond the active model, to count as a fix.
   */
  minReplaced: z.number().min(0).max(1),
  /** Relative loss (log-loss or MRR) on a segment beyond which a candidate breaks it. */
  maxHarm: z.number().min(0),
  /** The active model fails a segment whose users accept less than this share of its rankings… */
  failingAcceptance: z.number().min(0).max(1),
  /** …or whose "none fitted" rate it misjudges by more than this. */
  failingNoneError: z.number().min(0).max(1),
});
export type PromotionThresholds = z.infer<typeof promotionThresholdsSchema>;

export const trainingParamsSchema = z.object({
  seed: z.number().int(),
  /** Most recent labelled rows used (shown stays with feedback). */
  maxRows: z.number().int().min(1),
  /** Fewer labelled rows than this: the run fails and nothing changes. */
  minRows: z.number().int().min(1),
  holdoutFraction: z.number().gt(0).lt(1),
  epochs: z.number().int().min(1),
  /** A feedback row's weight halves with every this many hours of age; 0 = unweighted. */
  recencyHalfLifeHours: z.number().min(0),
  promotion: promotionThresholdsSchema,
  /** Activate a candidate the rule promotes (absent: true); false leaves it to a rollout. */
  activate: z.boolean().optional(),
});

/** How the worker serves, to re-rank held-out requests as it would (RESULTS_TOP_K, …). */
export const servingSchema = z.object({
  topK: z.number().int().min(1),
  candidates: z.object({ maxPriceRatio: z.number().positive(), minCandidates: z.number().int() }),
});
export type ServingOptions = z.infer<typeof servingSchema>;
export type TrainingParams = z.infer<typeof trainingParamsSchema>;

/** One model's metrics next to the other's, over the same held-out predictions. */
const comparedSchema = z.object({
  candidate: choiceMetricsSchema,
  /** null when there was no active model to compare with. */
  active: choiceMetricsSchema.nullable(),
});
export type Compared = z.infer<typeof comparedSchema>;

/** What users did with the active model's rankings in a segment: its online record. */
export const onlineRecordSchema = z.object({
  predictions: z.number().int().min(0),
  chosen: z.number().int().min(0),
  /** Recency-weighted share of those predictions whose feedback chose a stay. */
  acceptance: z.number().min(0).max(1).nullable(),
});
export type OnlineRecord = z.infer<typeof onlineRecordSchema>;

export const segmentEvaluationSchema = comparedSchema.extend({
  /** Over every labelled prediction the active model served in the segment (both splits). */
  activeOnline: onlineRecordSchema,
});
export type SegmentEvaluation = z.infer<typeof segmentEvaluationSchema>;

export const offlineEvaluationSchema = z.object({
  overall: comparedSchema,
  /** Keyed by segmentOf (the declared profile, else group kind × budget band). */
  segments: z.record(z.string(), segmentEvaluationSchema),
  /** The segments under the rule's minimum size, pooled into one. */
  smallSegments: comparedSchema.extend({ segments: z.array(z.string()) }),
});
export type OfflineEvaluation = z.infer<typeof offlineEvaluationSchema>;

export const promotionDecisionSchema = z.object({
  promoted: z.boolean(),
  /** One sentence, with the figures that decided. */
  reason: z.string(),
  /** Clearly better over every held-out prediction. */
  betterOverall: z.boolean(),
  /** Segments the active model fails; of them, those the candidate fixes. */
  failing: z.array(z.string()),
  fixed: z.array(z.string()),
  /** Segments (or the small ones pooled) where the candidate is worse beyond maxHarm. */
  broken: z.array(z.string()),
});
export type PromotionDecision = z.infer<typeof promotionDecisionSchema>;

/** The evaluation stored with the candidate model: figures, the rule and its verdict. */
export const modelEvaluationSchema = offlineEvaluationSchema.extend({
  active: z.object({ modelId: z.uuid(), version: z.number().int() }).nullable(),
  recencyHalfLifeHours: z.number().min(0),
  serving: servingSchema,
  thresholds: promotionThresholdsSchema,
  decision: promotionDecisionSchema,
});
export type ModelEvaluation = z.infer<typeof modelEvaluationSchema>;

export const trainingResultSchema = z.object({
  params: trainingParamsSchema,
  dataset: z.object({
    rows: z.number().int(),
    predictions: z.number().int(),
    positives: z.number().int(),
    trainRows: z.number().int(),
    holdoutRows: z.number().int(),
  }),
  candidate: z.object({
    modelId: z.uuid(),
    version: z.number().int(),
    sha256: z.string(),
    newlyRegistered: z.boolean(),
    /** The classic holdout metrics (AUC, accuracy, …), kept for reference. */
    metrics: metricsSchema,
  }),
  active: z
    .object({ modelId: z.uuid(), version: z.number().int(), metrics: metricsSchema })
    .nullable(),
  /** The rule's verdict: a promoted candidate was made active. */
  promoted: z.boolean(),
  reason: z.string(),
  evaluation: modelEvaluationSchema,
});
export type TrainingResult = z.infer<typeof trainingResultSchema>;
