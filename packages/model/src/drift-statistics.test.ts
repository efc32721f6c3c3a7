import fc from 'fast-check';

import { ksDistance, populationStabilityIndex } from './drift-statistics';
import { countBins, histogramEdges } from './request-histograms';

describe('populationStabilityIndex', () => {
  it('is 0 for the same shape, whatever the totals', () => {
    expect(populationStabilityIndex([10, 20, 30], [10, 20, 30])).toBeCloseTo(0, 12);
    expect(populationStabilityIndex([100, 200, 300], [10, 20, 30])).toBeLessThan(0.01);
  });

  it('matches the formula on a hand-computed case (no smoothing)', () => {
    // e = (0.5, 0.5), a = (0.8, 0.2): 0.3 ln 1.6 + (-0.3) ln 0.4
    const expected = 0.3 * Math.log(1.6) - 0.3 * Math.log(0.4);
    expect(populationStabilityIndex([50, 50], [80, 20], 0)).toBeCloseTo(expected, 12);
  });

  it('rises as the window moves away from the baseline', () => {
    const baseline = [25, 25, 25, 25];
    const small = populationStabilityIndex(baseline, [30, 25, 25, 20]);
    const large = populationStabilityIndex(baseline, [70, 10, 10, 10]);
    const total = populationStabilityIndex(baseline, [100, 0, 0, 0]);
    expect(small).toBeLessThan(0.1);
    expect(large).toBeGreaterThan(0.25);
    expect(total).toBeGreaterThan(large);
  });

  it('stays finite when a bin is empty on one side', () => {
    expect(Number.isFinite(populationStabilityIndex([0, 100], [100, 0]))).toBe(true);
  });

  it('is never negative and symmetric in its two sides', () => {
    const counts = fc.array(fc.nat(1000), { minLength: 2, maxLength: 12 });
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const n = Math.min(a.length, b.length);
        const [x, y] = [a.slice(0, n), b.slice(0, n)];
        const psi = populationStabilityIndex(x, y);
        expect(psi).toBeGreaterThanOrEqual(-1e-12);
        expect(psi).toBeCloseTo(populationStabilityIndex(y, x), 9);
      }),
    );
  });

  it('refuses histograms of different bins or negative counts', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(/same/);
    expect(() => populationStabilityIndex([], [])).toThrow(/non-zero/);
    expect(() => populationStabilityIndex([1, -1], [1, 1])).toThrow(/>= 0/);
  });
});

describe('ksDistance', () => {
  it('is the largest gap between the cumulative shares', () => {
    // cumulative e: 0.25 0.5 0.75 1; a: 0.7 0.8 0.9 1
    expect(ksDistance([25, 25, 25, 25], [70, 10, 10, 10])).toBeCloseTo(0.45, 12);
    expect(ksDistance([1, 1], [2, 2])).toBe(0);
  });

  it('is 1 for disjoint supports and 0 with an empty side', () => {
    expect(ksDistance([10, 0], [0, 10])).toBe(1);
    expect(ksDistance([10, 0], [0, 0])).toBe(0);
  });

  it('stays in [0, 1]', () => {
    const counts = fc.array(fc.nat(1000), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const d = ksDistance(a, b);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});

describe('PSI over histogram bins of samples', () => {
  // A deterministic uniform-ish sample: the same distribution drawn twice stays flat; a shifted
  // one does not.
  const sample = (n: number, shift: number, seed: number) =>
    Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 1000) / 10 + shift);

  it('stays under 0.1 for two samples of one distribution and exceeds 0.25 for a shifted one', () => {
    const baseline = sample(2000, 0, 1);
    const edges = histogramEdges(baseline);
    const base = countBins(edges, baseline);
    expect(populationStabilityIndex(base, countBins(edges, sample(500, 0, 2)))).toBeLessThan(0.1);
    expect(populationStabilityIndex(base, countBins(edges, sample(500, 40, 2)))).toBeGreaterThan(
      0.25,
    );
  });
});
