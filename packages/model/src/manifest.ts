// The manifest stored next to every ONNX model: what it expects, how it was made, how good it
// was on its holdout. The scorer refuses a model whose bytes or graph disagree with it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { metricsSchema } from './metrics';
import { trainerOptionsSchema } from './mlp-trainer';
import { requestHistogramsSchema } from './request-histograms';
import { requestStatsSchema } from './request-stats';

export const MODEL_MANIFEST_FORMAT = 'predictq-model/1';

const count = z.number().int().min(0);

export const modelManifestSchema = z
  .object({
    format: z.literal(MODEL_MANIFEST_FORMAT),
    name: z.string().min(1).max(200),
    /** Feature names in input column order. */
    features: z.array(z.string().min(1)).min(1),
    input: z.object({
      name: z.string().min(1),
      dtype: z.literal('float32'),
      /** Columns of the [N, width] input; always features.length. */
      width: z.number().int().min(1),
    }),
    /** The [N, 1] float32 probabilities. */
    output: z.object({ name: z.string().min(1) }),
    seed: z.number().int(),
    /** Hex sha256 of the ONNX bytes. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
    hidden: z.array(z.number().int().min(1)),
    /** The trainer options the model was fitted with, defaults filled in. */
    trainer: trainerOptionsSchema,
    training: z.object({
      /** Rows the network was fitted on (the holdout is not included). */
      rows: count,
      positives: count,
      holdoutRows: count,
      holdoutFraction: z.number().min(0).max(1).optional(),
      /** The training requests' features: the input-drift baseline. */
      requestStats: requestStatsSchema.optional(),
      /** Histograms of the same requests: the baseline of the drift statistic (PSI, KS). */
      requestHistograms: requestHistogramsSchema.optional(),
    }),
    metrics: z.object({ holdout: metricsSchema, train: metricsSchema.optional() }),
  })
  .superRefine((manifest, ctx) => {
    if (manifest.input.width !== manifest.features.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['input', 'width'],
        message: `must equal features.length (${manifest.features.length})`,
      });
    }
    if (manifest.hidden.join() !== manifest.trainer.hidden.join()) {
      ctx.addIssue({ code: 'custom', path: ['hidden'], message: 'must equal trainer.hidden' });
    }
  });

export type ModelManifest = z.infer<typeof modelManifestSchema>;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
