import { DRIFT_FEATURES, type FeatureRow, histogramsOfRows } from '@predictq/model';

import { DriftMonitor } from './drift-monitor';
import { compareWithBaseline, type DriftReport, statusOf } from './measure-drift';

/** Requests whose budget follows `budget(i)` and whose other features cycle through values. */
function rows(
  n: number,
  budget: (i: number) => number,
  pool = (i: number) => i % 3 === 0,
): FeatureRow[] {
  return Array.from({ length: n }, (_, i) => {
    const row = Object.fromEntries(DRIFT_FEATURES.map((f) => [f, 0])) as Record<string, number>;
    row.people_num = 1 + (i % 4);
    row.budget = budget(i);
    row.age_avg = 20 + (i % 50);
    row.pool = pool(i) ? 1 : 0;
    return row as FeatureRow;
  });
}

const baseline = histogramsOfRows(
  rows(2000, (i) => 100 + ((i * 37) % 400)),
  'training',
);
const options = { minRequests: 100, threshold: 0.25 };

describe('compareWithBaseline', () => {
  it('stays under the threshold on every feature for a window like the baseline', () => {
    const features = compareWithBaseline(
      baseline,
      rows(500, (i) => 100 + ((i * 53) % 400)),
      options,
    );
    expect(features.map((f) => f.feature)).toEqual([...DRIFT_FEATURES]);
    for (const f of features) expect(f.psi).toBeLessThan(0.1);
    expect(statusOf(features)).toBe('ok');
  });

  it('flags exactly the features that moved', () => {
    const features = compareWithBaseline(
      baseline,
      rows(
        500,
        (i) => 2000 + i,
        (i) => i % 3 !== 0,
      ),
      options,
    );
    const drifted = features.filter((f) => f.drifted).map((f) => f.feature);
    expect(drifted.sort()).toEqual(['budget', 'pool']);
    const budget = features.find((f) => f.feature === 'budget')!;
    expect(budget.psi).toBeGreaterThan(1);
    // The last bin also holds the top tenth of the baseline: the binned KS sees 0.9.
    expect(budget.ks).toBeCloseTo(0.9, 5);
    // Budgets above the training range all land in the last bin.
    expect(budget.window.at(-1)).toBe(500);
    expect(statusOf(features)).toBe('drift');
  });

  it('gives no statistic (and no drift) with fewer requests than the minimum', () => {
    const features = compareWithBaseline(
      baseline,
      rows(99, () => 5000),
      options,
    );
    expect(features.every((f) => f.psi === null && f.ks === null && !f.drifted)).toBe(true);
    expect(features.find((f) => f.feature === 'budget')!.window.at(-1)).toBe(99);
    expect(statusOf(features)).toBe('insufficient_data');
  });
});

describe('DriftMonitor', () => {
  const report = { status: 'ok' } as DriftReport;

  it('computes once per TTL and shares a computation in flight', async () => {
    let now = 0;
    let calls = 0;
    const monitor = new DriftMonitor(
      async () => {
        calls++;
        return report;
      },
      1000,
      () => now,
    );
    await Promise.all([monitor.current(), monitor.current()]);
    now = 999;
    await monitor.current();
    expect(calls).toBe(1);
    now = 1000;
    await monitor.current();
    expect(calls).toBe(2);
  });

  it('does not keep a failure', async () => {
    let fail = true;
    const monitor = new DriftMonitor(
      async () => {
        if (fail) throw new Error('database down');
        return report;
      },
      60_000,
      () => 0,
    );
    await expect(monitor.current()).rejects.toThrow('database down');
    fail = false;
    await expect(monitor.current()).resolves.toBe(report);
  });
});
