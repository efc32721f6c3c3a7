// The input-drift gauges, computed at scrape time from the process's cached drift report (see
// @predictq/drift's DriftMonitor): every API replica reports the same figures, read from
// PostgreSQL at most once per DRIFT_CACHE_TTL_MS; dashboards and alerts take max by feature.
import { Gauge, type Registry } from 'prom-client';

/** What the gauges need of a drift report. */
export interface DriftSnapshot {
  threshold: number;
  windowRequests: number;
  features: readonly { feature: string; psi: number | null; ks: number | null }[];
}

export function createDriftMetrics(
  registry: Registry,
  snapshot: () => Promise<DriftSnapshot | undefined>,
) {
  // The snapshot is cached by its source, so each gauge may ask for it; a failed read (the
  // database away) leaves the drift series out of that scrape rather than failing /metrics.
  const read = () => snapshot().catch(() => undefined);
  const perFeature = (name: string, help: string, pick: 'psi' | 'ks') =>
    new Gauge({
      name,
      help,
      labelNames: ['feature'] as const,
      registers: [registry],
      async collect() {
        // A feature without a statistic (too few requests, no baseline) has no series: alerts on
        // it stay quiet rather than see a made-up 0.
        this.reset();
        const drift = await read();
        for (const f of drift?.features ?? []) {
          const value = f[pick];
          if (value !== null) this.set({ feature: f.feature }, value);
        }
      },
    });
  return {
    psi: perFeature(
      'predictq_drift_psi',
      'Population stability index of each request feature: recent requests against the active model’s training requests.',
      'psi',
    ),
    ks: perFeature(
      'predictq_drift_ks',
      'Kolmogorov-Smirnov distance (over the baseline bins) of each request feature.',
      'ks',
    ),
    threshold: new Gauge({
      name: 'predictq_drift_threshold',
      help: 'PSI at or above which a feature counts as drifted (DRIFT_PSI_THRESHOLD).',
      registers: [registry],
      async collect() {
        const drift = await read();
        if (drift) this.set(drift.threshold);
      },
    }),
    windowRequests: new Gauge({
      name: 'predictq_drift_window_requests',
      help: 'Requests in the drift window the statistic was computed over.',
      registers: [registry],
      async collect() {
        const drift = await read();
        if (drift) this.set(drift.windowRequests);
      },
    }),
  };
}
