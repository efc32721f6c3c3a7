// The input-drift report's part of the API contract (GET /v1/drift).
import { z } from 'zod';

export const DRIFT_STATUSES = [
  'ok',
  'drift',
  'insufficient_data',
  'no_baseline',
  'no_model',
] as const;

export const featureDriftSchema = z
  .object({
    feature: z.string(),
    psi: z
      .number()
      .nullable()
      .describe('Population stability index against the baseline; null with too few requests.'),
    ks: z
      .number()
      .nullable()
      .describe('Kolmogorov-Smirnov distance over the bins (0 to 1); null with too few requests.'),
    threshold: z.number().describe('PSI at or above which the feature has drifted.'),
    drifted: z.boolean(),
    bins: z.object({
      edges: z
        .array(z.number())
        .describe('Bin i holds edges[i-1] <= x < edges[i]; the outer bins are open.'),
      baseline: z.array(z.number().int()).describe('Training requests per bin.'),
      window: z.array(z.number().int()).describe('Window requests per bin.'),
    }),
  })
  .meta({ id: 'FeatureDrift' });

export const driftSchema = z
  .object({
    status: z
      .enum(DRIFT_STATUSES)
      .describe(
        'drift: some feature reached the threshold; insufficient_data: fewer window requests than min_requests; no_baseline: the active model has no histograms nor lineage.',
      ),
    statistic: z.literal('psi'),
    threshold: z.number(),
    model: z
      .object({ id: z.uuid(), version: z.number().int() })
      .nullable()
      .describe('The active model, whose training requests are the baseline.'),
    baseline: z
      .object({
        source: z
          .enum(['training', 'lineage'])
          .describe('training: stored at training time; lineage: rebuilt from the run’s rows.'),
        requests: z.number().int(),
      })
      .nullable(),
    window: z.object({
      minutes: z.number().int(),
      max_requests: z.number().int(),
      min_requests: z.number().int(),
      requests: z.number().int().describe('Requests in the window (the newest, at most max).'),
      from: z.iso.datetime().nullable(),
      to: z.iso.datetime().nullable(),
    }),
    drifted: z.array(z.string()).describe('The drifted features, largest PSI first.'),
    features: z.array(featureDriftSchema),
    computed_at: z.iso.datetime(),
  })
  .meta({ id: 'Drift' });
export type DriftBody = z.infer<typeof driftSchema>;
