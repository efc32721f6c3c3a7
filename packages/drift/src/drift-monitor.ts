// The drift report of this process, computed at most once per TTL however often it is read
// (GET /v1/drift and each /metrics scrape share it); concurrent readers share one computation,
// and a failed one is not kept.
import type { DriftReport } from './measure-drift';

export class DriftMonitor {
  private cached: { at: number; report: Promise<DriftReport> } | undefined;

  constructor(
    private readonly measure: () => Promise<DriftReport>,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  current(): Promise<DriftReport> {
    const now = this.clock();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.report;
    const report = this.measure();
    const entry = { at: now, report };
    this.cached = entry;
    report.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return report;
  }
}
