import { median, medians, ratios } from './compare';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones, ignoring missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, Number.NaN])).toBe(5);
    expect(median([])).toBeNull();
  });
});

describe('medians and ratios', () => {
  it('gives each figure its median over the rounds, and B/A per figure', () => {
    const a = medians([
      { rate: 100, p99: 40 },
      { rate: 110, p99: 60 },
      { rate: 90, p99: 50 },
    ]);
    const b = medians([
      { rate: 200, p99: 25 },
      { rate: 220, p99: null },
    ]);
    expect(a).toEqual({ rate: 100, p99: 50 });
    expect(b).toEqual({ rate: 210, p99: 25 });
    expect(ratios(a, b)).toEqual({ rate: 2.1, p99: 0.5 });
    expect(ratios({ x: 0, y: 1 }, { x: 5 })).toEqual({ x: null, y: null });
  });
});
