// The drift statistic: for each request feature, PSI and KS distance between the active model's
// training baseline and the same bins over a window of recent requests (the newest
// DRIFT_WINDOW_MAX_REQUESTS of the last DRIFT_WINDOW_MINUTES).
import { type Db, getActiveModel, recentRequestFeatures } from '@predictq/db';
import {
  countBins,
  DRIFT_FEATURES,
  type DriftFeature,
  type FeatureRow,
  ksDistance,
  populationStabilityIndex,
  type RequestHistograms,
} from '@predictq/model';

import type { DriftBaselines } from './drift-baseline';

export interface DriftOptions {
  windowMinutes: number;
  maxRequests: number;
  /** Fewer requests than this in the window: no statistic. */
  minRequests: number;
  /** PSI at or above which a feature has drifted. */
  threshold: number;
}

export interface FeatureDrift {
  feature: DriftFeature;
  /** null when the window holds fewer than minRequests requests. */
  psi: number | null;
  ks: number | null;
  drifted: boolean;
  /** Bin edges (see histogramSchema) and the counts of each side. */
  edges: number[];
  baseline: number[];
  window: number[];
}

export type DriftStatus = 'ok' | 'drift' | 'insufficient_data' | 'no_baseline' | 'no_model';

export interface DriftReport {
  status: DriftStatus;
  computedAt: Date;
  model: { id: string; version: number } | null;
  baseline: { source: RequestHistograms['source']; requests: number } | null;
  window: {
    minutes: number;
    maxRequests: number;
    minRequests: number;
    requests: number;
    from: Date | null;
    to: Date | null;
  };
  threshold: number;
  features: FeatureDrift[];
  /** The drifted features, largest PSI first. */
  drifted: DriftFeature[];
}

/** Each feature's statistic: the window's rows counted into the baseline's bins. Pure. */
export function compareWithBaseline(
  baseline: RequestHistograms,
  rows: readonly FeatureRow[],
  options: Pick<DriftOptions, 'minRequests' | 'threshold'>,
): FeatureDrift[] {
  const enough = rows.length >= options.minRequests && rows.length > 0;
  return DRIFT_FEATURES.map((feature) => {
    const { edges, counts } = baseline.features[feature];
    const window = countBins(
      edges,
      rows.map((r) => Number(r[feature])),
    );
    const psi = enough ? populationStabilityIndex(counts, window) : null;
    const ks = enough ? ksDistance(counts, window) : null;
    return {
      feature,
      psi,
      ks,
      drifted: psi !== null && psi >= options.threshold,
      edges,
      baseline: counts,
      window,
    };
  });
}

export function statusOf(features: readonly FeatureDrift[]): DriftStatus {
  if (features.some((f) => f.drifted)) return 'drift';
  return features.every((f) => f.psi !== null) ? 'ok' : 'insufficient_data';
}

export async function measureDrift(
  deps: { db: Db; baselines: DriftBaselines },
  options: DriftOptions,
  now: Date = new Date(),
): Promise<DriftReport> {
  const empty: DriftReport = {
    status: 'no_model',
    computedAt: now,
    model: null,
    baseline: null,
    window: {
      minutes: options.windowMinutes,
      maxRequests: options.maxRequests,
      minRequests: options.minRequests,
      requests: 0,
      from: null,
      to: null,
    },
    threshold: options.threshold,
    features: [],
    drifted: [],
  };
  const model = await getActiveModel(deps.db);
  if (!model) return empty;
  const since = new Date(now.getTime() - options.windowMinutes * 60_000);
  const [baseline, recent] = await Promise.all([
    deps.baselines.forModel(model),
    recentRequestFeatures(deps.db, since, options.maxRequests),
  ]);
  const report: DriftReport = {
    ...empty,
    status: 'no_baseline',
    model: { id: model.id, version: model.version },
    window: {
      ...empty.window,
      requests: recent.rows.length,
      from: recent.oldest,
      to: recent.newest,
    },
  };
  if (!baseline) return report;
  const features = compareWithBaseline(baseline, recent.rows as unknown as FeatureRow[], options);
  return {
    ...report,
    status: statusOf(features),
    baseline: { source: baseline.source, requests: baseline.requests },
    features,
    drifted: features
      .filter((f) => f.drifted)
      .sort((a, b) => (b.psi ?? 0) - (a.psi ?? 0))
      .map((f) => f.feature),
  };
}
