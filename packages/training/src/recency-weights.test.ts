import { recencyWeights } from './recency-weights';

const at = (hours: number) => new Date(Date.UTC(2026, 5, 1) + hours * 3_600_000);

describe('recencyWeights', () => {
  it('halves the weight with every half-life of age before the newest feedback', () => {
    expect(recencyWeights([at(48), at(24), at(0), at(36)], 24)).toEqual([1, 0.5, 0.25, 0.5 ** 0.5]);
  });

  it('depends only on the ages between rows, not on when it runs', () => {
    const shifted = [at(1048), at(1024), at(1000)];
    expect(recencyWeights(shifted, 24)).toEqual(recencyWeights([at(48), at(24), at(0)], 24));
  });

  it('is 1 everywhere with a half-life of 0 (off), and refuses a negative one', () => {
    expect(recencyWeights([at(0), at(1000)], 0)).toEqual([1, 1]);
    expect(recencyWeights([], 24)).toEqual([]);
    expect(() => recencyWeights([at(0)], -1)).toThrow('halfLifeHours must be a finite number >= 0');
  });
});
