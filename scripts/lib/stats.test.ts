import { percentile, summarize } from './stats';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts the samples before taking percentiles', () => {
    expect(summarize([30, 10, 20])).toEqual({
      count: 3,
      mean: 20,
      p50: 20,
      p90: 30,
      p95: 30,
      p99: 30,
      max: 30,
    });
  });
});
