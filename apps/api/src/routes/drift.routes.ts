// Input drift: the statistic per request feature, as this process last computed it (at most
// DRIFT_CACHE_TTL_MS old; the /metrics gauges read the same report).
import type { DriftBody } from '@predictq/contract';
import type { DriftMonitor, DriftReport } from '@predictq/drift';

import type { Handlers } from '../http/mount';

export function presentDrift(report: DriftReport): DriftBody {
  return {
    status: report.status,
    statistic: 'psi',
    threshold: report.threshold,
    model: report.model,
    baseline: report.baseline,
    window: {
      minutes: report.window.minutes,
      max_requests: report.window.maxRequests,
      min_requests: report.window.minRequests,
      requests: report.window.requests,
      from: report.window.from?.toISOString() ?? null,
      to: report.window.to?.toISOString() ?? null,
    },
    drifted: report.drifted,
    features: report.features.map((f) => ({
      feature: f.feature,
      psi: f.psi,
      ks: f.ks,
      threshold: report.threshold,
      drifted: f.drifted,
      bins: { edges: f.edges, baseline: f.baseline, window: f.window },
    })),
    computed_at: report.computedAt.toISOString(),
  };
}

export function driftHandlers(deps: { drift: DriftMonitor }): Handlers<'getDrift'> {
  return {
    getDrift: async (_request, res) => {
      res.json(presentDrift(await deps.drift.current()));
    },
  };
}
