import { randomUUID } from 'node:crypto';

import {
  assignModel,
  trafficRole,
  trafficShares,
  trafficSplit,
  trafficSplitProblem,
  unitHash,
} from './model-traffic';

const model = (id: string, status: 'active' | 'candidate' | 'retired', weight = 0) => ({
  id,
  status,
  traffic_weight: weight,
});

describe('unitHash', () => {
  it('is stable and spreads ids over [0, 1)', () => {
    const id = randomUUID();
    expect(unitHash(id)).toBe(unitHash(id));
    const values = Array.from({ length: 4000 }, () => unitHash(randomUUID()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const low = values.filter((v) => v < 0.5).length / values.length;
    expect(low).toBeGreaterThan(0.45);
    expect(low).toBeLessThan(0.55);
  });
});

describe('the traffic rules', () => {
  it('give canaries their weights and the active model the rest', () => {
    const shares = trafficShares([model('a', 'active'), model('c', 'candidate', 0.2)]);
    expect(shares.map((m) => [m.id, m.share])).toEqual([
      ['a', 0.8],
      ['c', 0.2],
    ]);
    expect(trafficRole(shares[0]!)).toBe('active');
    expect(trafficRole(shares[1]!)).toBe('canary');
  });

  it('split ids between the canaries first, then the active model', () => {
    const split = trafficSplit([model('a', 'active'), model('c', 'candidate', 0.25)]);
    expect(split).toEqual([
      { id: 'c', upTo: 0.25 },
      { id: 'a', upTo: 1 },
    ]);
    const id = randomUUID();
    expect(assignModel(split, id)).toBe(unitHash(id) < 0.25 ? 'c' : 'a');
    expect(assignModel([], id)).toBeUndefined();
    // Without an active model, the last canary takes the rest.
    expect(trafficSplit([model('c', 'candidate', 0.25)])).toEqual([{ id: 'c', upTo: 1 }]);
  });

  it('refuse a split over 1, an unknown model, or the active one', () => {
    const found = [model('a', 'active'), model('c', 'candidate')];
    expect(trafficSplitProblem([{ modelId: 'c', weight: 0.5 }], found)).toBeUndefined();
    expect(trafficSplitProblem([{ modelId: 'c', weight: 1.5 }], found)).toMatch(/more than 1/);
    expect(trafficSplitProblem([{ modelId: 'x', weight: 0.1 }], found)).toMatch(/does not exist/);
    expect(trafficSplitProblem([{ modelId: 'a', weight: 0.1 }], found)).toMatch(/active model/);
  });
});
