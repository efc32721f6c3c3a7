import { createRng } from './rng';

function draws(seed: number, n: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
}

describe('createRng', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(draws(42, 50)).toEqual(draws(42, 50));
    expect(draws(42, 50)).not.toEqual(draws(43, 50));
  });

  it('keeps integers inside the inclusive range and reaches both ends', () => {
    const rng = createRng(7);
    const seen = new Set(Array.from({ length: 2000 }, () => rng.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('draws beta values in (0, 1) whose mean matches a / (a + b)', () => {
    const rng = createRng(1);
    const n = 20000;
    const values = Array.from({ length: n }, () => rng.beta(2, 5));
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((a, b) => a + b, 0) / n).toBeCloseTo(2 / 7, 2);
  });

  it('draws gamma values with shape below one whose mean matches the shape', () => {
    const rng = createRng(3);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += rng.gamma(0.5);
    expect(sum / n).toBeCloseTo(0.5, 1);
  });

  it('picks weighted indices in proportion to their weights and never a zero weight', () => {
    const rng = createRng(5);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[rng.weightedIndex([1, 0, 3])]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[2]! / counts[0]!).toBeGreaterThan(2.7);
    expect(counts[2]! / counts[0]!).toBeLessThan(3.3);
  });

  it('rejects impossible arguments with a clear error', () => {
    const rng = createRng(1);
    expect(() => rng.int(5, 2)).toThrow(/min <= max/);
    expect(() => rng.weightedIndex([0, 0])).toThrow(/at least one weight/);
    expect(() => rng.pick([])).toThrow(/empty/);
    expect(() => createRng(1.5)).toThrow(/integer/);
  });

  it('shuffles into a permutation of the same items', () => {
    const rng = createRng(9);
    const items = Array.from({ length: 20 }, (_, i) => i);
    const shuffled = rng.shuffle(items);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });
});
