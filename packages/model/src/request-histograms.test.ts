import { enrichRequest } from '@predictq/domain';
import fc from 'fast-check';

import {
  binOf,
  countBins,
  distinctRequests,
  histogram,
  histogramEdges,
  histogramSchema,
  histogramsOfRequests,
} from './request-histograms';
import { DRIFT_FEATURES } from './request-stats';
import type { TrainingExample } from './train';

describe('histogramEdges', () => {
  it('gives each value of a feature with few values its own bin (booleans, group sizes)', () => {
    expect(histogramEdges([0, 1, 1, 0, 1])).toEqual([0.5]);
    expect(histogramEdges([2, 4, 3, 2, 2, 8])).toEqual([2.5, 3.5, 6]);
    expect(histogramEdges([1, 1, 1])).toEqual([]);
  });

  it('takes deciles of a continuous feature', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    const edges = histogramEdges(values);
    expect(edges).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(countBins(edges, values)).toEqual(new Array(10).fill(100));
  });

  it('never repeats an edge, nor puts one at the minimum, when values are tied', () => {
    const values = [...new Array(500).fill(0), ...Array.from({ length: 500 }, (_, i) => i + 1)];
    const edges = histogramEdges(values);
    expect(edges[0]).toBeGreaterThan(0);
    expect(histogramSchema.safeParse({ edges, counts: countBins(edges, values) }).success).toBe(
      true,
    );
  });

  it('refuses fewer than 2 bins', () => {
    expect(() => histogramEdges([1, 2], 1)).toThrow(/maxBins/);
  });

  it('always gives a valid histogram with at most maxBins bins that counts every value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 2, max: 12 }),
        (values, bins) => {
          const h = histogram(values, bins);
          expect(histogramSchema.safeParse(h).success).toBe(true);
          expect(h.counts.length).toBeLessThanOrEqual(bins);
          expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
        },
      ),
    );
  });
});

describe('binOf', () => {
  it('puts a value equal to an edge in the upper bin, and out-of-range values in the outer bins', () => {
    const edges = [10, 20, 30];
    expect([-5, 9.99, 10, 19, 20, 30, 1e9].map((x) => binOf(edges, x))).toEqual([
      0, 0, 1, 1, 2, 3, 3,
    ]);
    expect(binOf([], 5)).toBe(0);
  });
});

describe('histogramsOfRequests', () => {
  const base = {
    people_age: [30, 30],
    children_num: 0,
    nights: 2,
    time_arrival: '2026-01-01',
    pool: false,
    spa: false,
    pet_friendly: false,
    lake: false,
    mountain: false,
    sport: false,
  };
  const a = enrichRequest({ ...base, people_num: 2, budget: 100, pool: true });
  const b = enrichRequest({ ...base, people_num: 2, budget: 300 });
  const stay = {} as TrainingExample['location'];

  it('counts each request once, only among the given rows, for every drift feature', () => {
    const examples: TrainingExample[] = [
      { request: a, location: stay, label: 0, group: 1 },
      { request: a, location: stay, label: 1, group: 1 },
      { request: b, location: stay, label: 0, group: 2 },
      { request: b, location: stay, label: 0, group: 3 },
    ];
    const requests = distinctRequests(examples, [0, 1, 2]);
    expect(requests).toEqual([a, b]);
    const h = histogramsOfRequests(requests, 'training');
    expect(h.requests).toBe(2);
    expect(Object.keys(h.features).sort()).toEqual([...DRIFT_FEATURES].sort());
    expect(h.features.pool).toEqual({ edges: [0.5], counts: [1, 1] });
    expect(h.features.budget).toEqual({ edges: [200], counts: [1, 1] });
    expect(h.features.spa).toEqual({ edges: [], counts: [2] });
  });
});
