// The input-drift baseline: a histogram of each request feature over the distinct requests a
// model was fitted on. Bins come from those training values: one bin per value for a feature
// with few distinct values (booleans, group sizes), quantile bins otherwise. Stored in the
// manifest at training time; computed later from the run's lineage for older models.
import { z } from 'zod';

import type { EnrichedRequest } from '@predictq/domain';

import { DRIFT_FEATURES, type DriftFeature } from './request-stats';

/** Most bins per feature (deciles for a continuous feature). */
export const DEFAULT_HISTOGRAM_BINS = 10;

/**
 * Bin i holds the values x with edges[i-1] <= x < edges[i]: bin 0 is everything below the first
 * edge and the last bin everything from the last edge up (PostgreSQL's width_bucket). Values
 * outside the training range therefore fall into the outer bins.
 */
export const histogramSchema = z
  .object({
    edges: z.array(z.number()),
    counts: z.array(z.number().int().min(0)),
  })
  .refine((h) => h.counts.length === h.edges.length + 1, {
    message: 'counts must have one more entry than edges',
  })
  .refine((h) => h.edges.every((e, i) => i === 0 || e > (h.edges[i - 1] as number)), {
    message: 'edges must increase strictly',
  });
export type Histogram = z.infer<typeof histogramSchema>;

export const requestHistogramsSchema = z.object({
  /** Distinct requests counted. */
  requests: z.number().int().min(0),
  /** training: written when the model was trained; lineage: computed later from its run's rows. */
  source: z.enum(['training', 'lineage']),
  features: z.record(z.enum(DRIFT_FEATURES), histogramSchema),
});
export type RequestHistograms = z.infer<typeof requestHistogramsSchema>;

/** The feature's value as a number (booleans 0/1). */
export function featureValue(request: EnrichedRequest, feature: DriftFeature): number {
  return Number(request[feature]);
}

/** The bin of x (see histogramSchema): the number of edges <= x, by binary search. */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((edges[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Edges for `values`: midpoints between consecutive distinct values when there are at most
 * maxBins of them, so each value has its bin; otherwise the distinct interior quantiles
 * (i / maxBins), so each bin holds about 1 / maxBins of the values.
 */
export function histogramEdges(
  values: readonly number[],
  maxBins = DEFAULT_HISTOGRAM_BINS,
): number[] {
  if (!Number.isInteger(maxBins) || maxBins < 2) {
    throw new RangeError(`maxBins must be an integer >= 2, got ${maxBins}`);
  }
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const distinct = sorted.filter((x, i) => i === 0 || x !== sorted[i - 1]);
  if (distinct.length <= maxBins) {
    return distinct.slice(1).map((x, i) => ((distinct[i] as number) + x) / 2);
  }
  const edges: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const q = sorted[Math.floor((k * sorted.length) / maxBins)] as number;
    // A quantile equal to the minimum would leave bin 0 empty of training values.
    if (q > (sorted[0] as number) && (edges.length === 0 || q > (edges.at(-1) as number))) {
      edges.push(q);
    }
  }
  return edges;
}

/** How many of `values` fall into each bin of `edges`. */
export function countBins(edges: readonly number[], values: Iterable<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of values) {
    if (Number.isFinite(x)) (counts[binOf(edges, x)] as number)++;
  }
  return counts;
}

export function histogram(values: readonly number[], maxBins = DEFAULT_HISTOGRAM_BINS): Histogram {
  const edges = histogramEdges(values, maxBins);
  return { edges, counts: countBins(edges, values) };
}

/** One request's drift features as numbers (booleans 0/1), e.g. a database row. */
export type FeatureRow = Readonly<Record<DriftFeature, number>>;

/** Histograms of every drift feature over the given rows (one per request). */
export function histogramsOfRows(
  rows: readonly FeatureRow[],
  source: RequestHistograms['source'],
  maxBins = DEFAULT_HISTOGRAM_BINS,
): RequestHistograms {
  const features = {} as RequestHistograms['features'];
  for (const feature of DRIFT_FEATURES) {
    features[feature] = histogram(
      rows.map((r) => Number(r[feature])),
      maxBins,
    );
  }
  return { requests: rows.length, source, features };
}

/** Histograms of every drift feature over the given requests (each counted once). */
export function histogramsOfRequests(
  requests: readonly EnrichedRequest[],
  source: RequestHistograms['source'],
  maxBins = DEFAULT_HISTOGRAM_BINS,
): RequestHistograms {
  const rows = requests.map(
    (r) => Object.fromEntries(DRIFT_FEATURES.map((f) => [f, featureValue(r, f)])) as FeatureRow,
  );
  return histogramsOfRows(rows, source, maxBins);
}

/** The distinct requests (by group) among examples[indices], in order of first appearance. */
export function distinctRequests(
  examples: readonly { request: EnrichedRequest; group?: string | number }[],
  indices: readonly number[],
): EnrichedRequest[] {
  const seen = new Set<unknown>();
  const requests: EnrichedRequest[] = [];
  for (const i of indices) {
    const example = examples[i] as (typeof examples)[number];
    const key = example.group ?? example.request;
    if (seen.has(key)) continue;
    seen.add(key);
    requests.push(example.request);
  }
  return requests;
}
