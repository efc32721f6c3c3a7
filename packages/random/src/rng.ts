// Seeded random numbers for everything that must be reproducible: the data generators,
// model initialisation and shuffling, and the traffic generator's users.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** true with probability p. */
  bernoulli(p: number): boolean;
  /** Standard normal scaled to N(mean, sd). */
  normal(mean?: number, sd?: number): number;
  /** Gamma(shape, 1). */
  gamma(shape: number): number;
  /** Beta(a, b) in (0, 1). */
  beta(a: number, b: number): number;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** An index drawn in proportion to non-negative weights (at least one must be > 0). */
  weightedIndex(weights: readonly number[]): number;
  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** A fresh, independent generator derived from this one (for a sub-simulation). */
  fork(): Rng;
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const generator = xoroshiro128plus(seed | 0);
  const next = (): number => uniformFloat64(generator);

  const normal = (mean = 0, sd = 1): number => {
    // Box–Muller; 1 - u keeps the logarithm finite.
    const u = 1 - next();
    const v = next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  const gamma = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a).
      return gamma(shape + 1) * Math.pow(1 - next(), 1 / shape);
    }
    // Marsaglia and Tsang (2000).
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - next();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  };

  const rng: Rng = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new RangeError(`int range must be integers with min <= max, got [${min}, ${max}]`);
      }
      return uniformInt(generator, min, max);
    },
    bernoulli: (p) => next() < p,
    normal,
    gamma,
    beta: (a, b) => {
      const x = gamma(a);
      const y = gamma(b);
      return x / (x + y);
    },
    pick: (items) => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list');
      return items[uniformInt(generator, 0, items.length - 1)] as (typeof items)[number];
    },
    weightedIndex: (weights) => {
      let total = 0;
      for (const w of weights) {
        if (!(w >= 0)) throw new RangeError(`weights must be >= 0, got ${w}`);
        total += w;
      }
      if (!(total > 0)) throw new RangeError('at least one weight must be > 0');
      let target = next() * total;
      for (let i = 0; i < weights.length; i++) {
        target -= weights[i] as number;
        if (target < 0) return i;
      }
      // Rounding can leave target at 0: return the last index with weight.
      for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] as number) > 0) return i;
      return weights.length - 1;
    },
    shuffle: (items) => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = uniformInt(generator, 0, i);
        const tmp = out[i] as (typeof out)[number];
        out[i] = out[j] as (typeof out)[number];
        out[j] = tmp;
      }
      return out;
    },
    fork: () => createRng(uniformInt(generator, -0x80000000, 0x7fffffff)),
  };
  return rng;
}
