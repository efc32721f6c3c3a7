// The model registry's and training's part of the API contract.
import { MODEL_SOURCES, MODEL_STATUSES, TRAINING_STATUSES } from '@predictq/domain';
import { z } from 'zod';

const metrics = z.record(z.string(), z.unknown()).nullable();

export const modelSchema = z
  .object({
    id: z.uuid(),
    version: z.number().int(),
    name: z.string(),
    status: z.enum(MODEL_STATUSES),
    source: z.enum(MODEL_SOURCES),
    sha256: z.string(),
    artifact_path: z.string().nullable(),
    traffic_weight: z.number(),
    features: z.array(z.string()),
    metrics,
    lineage: z
      .object({
        training_run_id: z.uuid(),
        rows: z.array(
          z.object({
            split: z.string(),
            rows: z.number().int(),
            positives: z.number().int(),
            predictions: z.number().int(),
          }),
        ),
      })
      .nullable(),
    created_at: z.iso.datetime(),
    activated_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Model' });

export const modelListSchema = z.object({ models: z.array(modelSchema) }).meta({ id: 'ModelList' });

export const trafficBody = z
  .strictObject({
    candidates: z
      .array(
        z.strictObject({
          model_id: z.uuid(),
          weight: z.number().min(0).max(1).describe('Share of new predictions, 0 to 1.'),
        }),
      )
      .max(20)
      .describe(
        'Canaries and their shares; the active model takes the rest. [] ends every canary.',
      ),
  })
  .meta({ id: 'TrafficSplitRequest' });

export const trafficSchema = z
  .object({
    split: z.array(
      z.object({
        model_id: z.uuid(),
        version: z.number().int(),
        status: z.enum(MODEL_STATUSES),
        share: z.number(),
      }),
    ),
  })
  .meta({ id: 'TrafficSplit' });

export const uploadBody = z
  .strictObject({
    manifest: z.record(z.string(), z.unknown()).describe('The model manifest (predictq-model/1).'),
    onnx_base64: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
      .describe('The ONNX model file, base64-encoded.'),
  })
  .meta({ id: 'ModelUpload' });

export const qualityQuery = z.object({
  window: z
    .string()
    .regex(/^(all|\d{1,5}[mhd])$/, 'a duration such as 15m, 24h, 7d, or all')
    .default('24h'),
});

const interval = z.tuple([z.number(), z.number()]).nullable();

const comparedModelSchema = z.object({
  model_id: z.uuid(),
  version: z.number().int(),
  status: z.enum(MODEL_STATUSES),
  online: z.object({
    predictions: z.number().int(),
    feedback: z.number().int(),
    chosen: z.number().int(),
    acceptance: z.number().nullable(),
    acceptance_interval: interval,
  }),
  offline: z
    .object({
      predictions: z.number(),
      mrr: z.number().nullable(),
      hit_at_3: z.number().nullable(),
      hit_at_3_interval: interval,
      log_loss: z.number().nullable(),
    })
    .nullable(),
});

export const qualitySchema = z
  .object({
    model_id: z.uuid(),
    version: z.number().int(),
    window: z.string(),
    since: z.iso.datetime().nullable(),
    predictions: z.number().int(),
    feedback: z.number().int(),
    chosen: z.number().int(),
    none: z.number().int(),
    acceptance_rate: z.number().nullable().describe('chosen / feedback; null without feedback.'),
    comparison: z
      .object({
        window: z.string(),
        active: comparedModelSchema,
        candidate: comparedModelSchema,
        offline_source: z
          .string()
          .nullable()
          .describe("Whose stored evaluation the offline figures come from (the candidate's)."),
      })
      .nullable()
      .describe(
        "The active model and a candidate side by side over the same window (the running rollout's candidate when this model is active): online acceptance with 95% Wilson intervals, and the offline figures of the one evaluation that scored both on the same holdout. null when there is nothing to compare with.",
      ),
  })
  .meta({ id: 'ModelQuality' });

export const trainingRequestBody = z
  .strictObject({
    seed: z
      .number()
      .int()
      .min(-(2 ** 31))
      .max(2 ** 31 - 1)
      .optional(),
    max_rows: z.number().int().min(1).max(2_000_000).optional(),
    holdout_fraction: z.number().gt(0).lt(1).optional(),
    promote_margin: z.number().min(0).max(1).optional(),
    epochs: z.number().int().min(1).max(500).optional(),
    activate: z
      .boolean()
      .optional()
      .describe(
        'true (default): activate the candidate when the offline rule promotes it. false: register it with the verdict and leave promotion to a rollout.',
      ),
  })
  .meta({ id: 'TrainingRequest' });
export type TrainingRequestBody = z.infer<typeof trainingRequestBody>;

export const trainingAcceptedSchema = z
  .object({ id: z.uuid(), status: z.literal('queued'), created_at: z.iso.datetime() })
  .meta({ id: 'TrainingAccepted' });

/**
 * A model's metrics on a holdout (see packages/model's evaluate). Loose: the training package
 * owns the full shape and may add figures, which pass through.
 */
export const evaluationMetricsSchema = z
  .looseObject({
    auc: z.number().nullable().describe('Area under the ROC curve; null with a single class.'),
    accuracy: z.number(),
    precision: z.number(),
    recall: z.number(),
    f1: z.number(),
    log_loss: z.number(),
  })
  .meta({ id: 'EvaluationMetrics' });

/**
 * What a succeeded training run reports: the dataset, the candidate's and the active model's
 * metrics on the same holdout, and the promotion decision. Loose (see evaluationMetricsSchema):
 * the fields named here are the ones clients read.
 */
export const trainingResultSchema = z
  .looseObject({
    params: z.record(z.string(), z.unknown()),
    dataset: z.looseObject({
      rows: z.number().int(),
      predictions: z.number().int(),
      positives: z.number().int(),
      trainRows: z.number().int(),
      holdoutRows: z.number().int(),
    }),
    candidate: z.looseObject({
      modelId: z.uuid(),
      version: z.number().int(),
      sha256: z.string(),
      newlyRegistered: z.boolean().describe('false: the same bytes were registered before.'),
      metrics: evaluationMetricsSchema,
    }),
    active: z
      .looseObject({
        modelId: z.uuid(),
        version: z.number().int(),
        metrics: evaluationMetricsSchema,
      })
      .nullable(),
    promoted: z.boolean(),
    reason: z.string(),
  })
  .meta({ id: 'TrainingResult' });

export const trainingRunSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(TRAINING_STATUSES),
    params: z.record(z.string(), z.unknown()),
    progress: z
      .object({ epoch: z.number().int(), epochs: z.number().int(), loss: z.number() })
      .nullable(),
    result: trainingResultSchema.nullable(),
    model_id: z.uuid().nullable(),
    error: z.string().nullable(),
    created_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    completed_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'TrainingRun' });

export type ModelBody = z.infer<typeof modelSchema>;
export type QualityBody = z.infer<typeof qualitySchema>;
export type TrainingRunBody = z.infer<typeof trainingRunSchema>;
export type TrainingResultBody = z.infer<typeof trainingResultSchema>;
export type EvaluationMetricsBody = z.infer<typeof evaluationMetricsSchema>;
