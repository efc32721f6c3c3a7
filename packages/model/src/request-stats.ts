// What the training requests looked like: mean and standard deviation of each request feature
// over the distinct requests of the training split. Stored in the manifest, it is the baseline
// the input-drift dashboard compares live traffic with.
import { z } from 'zod';

import type { EnrichedRequest } from '@predictq/domain';

export const DRIFT_FEATURES = [
  'people_num',
  'children_num',
  'budget',
  'nights',
  'age_avg',
  'age_min',
  'age_max',
  'pool',
  'spa',
  'pet_friendly',
  'lake',
  'mountain',
  'sport',
] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

const stat = z.object({ mean: z.number(), std: z.number().min(0) });

export const requestStatsSchema = z.object({
  requests: z.number().int().min(0),
  features: z.record(z.enum(DRIFT_FEATURES), stat),
});
export type RequestStats = z.infer<typeof requestStatsSchema>;

/** Stats over the distinct requests (by group) among examples[indices]; booleans count as 0/1. */
export function requestStats(
  examples: readonly { request: EnrichedRequest; group?: string | number }[],
  indices: readonly number[],
): RequestStats {
  const seen = new Set<unknown>();
  const values: Record<DriftFeature, number[]> = Object.fromEntries(
    DRIFT_FEATURES.map((f) => [f, []]),
  ) as unknown as Record<DriftFeature, number[]>;
  for (const i of indices) {
    const example = examples[i] as (typeof examples)[number];
    const key = example.group ?? example.request;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const feature of DRIFT_FEATURES) values[feature].push(Number(example.request[feature]));
  }
  const features = {} as RequestStats['features'];
  for (const feature of DRIFT_FEATURES) {
    const xs = values[feature];
    const mean = xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length || 1);
    features[feature] = { mean, std: Math.sqrt(variance) };
  }
  return { requests: seen.size, features };
}
