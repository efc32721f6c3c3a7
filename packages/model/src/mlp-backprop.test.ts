import { createRng } from '@predictq/random';
import type { MlpParams } from './mlp';
import { lossAndGradient } from './mlp-backprop';
import { randomParams } from '../test/fixtures';

describe('lossAndGradient', () => {
  const rows = 40;
  const rng = createRng(21);
  const params = randomParams(8, [5, 4, 3, 1]);
  // Some values beyond the clip, so clipped inputs are part of the check.
  const x = Float32Array.from({ length: rows * 5 }, (_, k) =>
    k % 17 === 0 ? 1e4 : params.mean[k % 5]! + params.std[k % 5]! * rng.normal(0, 1.5),
  );
  const y = Uint8Array.from({ length: rows }, () => (rng.bernoulli(0.4) ? 1 : 0));
  const l2 = 0.05;

  const rowWeights = Float64Array.from({ length: rows }, () => rng.uniform(0.1, 2));

  function lossWith(
    layer: number,
    key: 'weights' | 'bias',
    index: number,
    delta: number,
    weights?: Float64Array,
  ): number {
    const copy: MlpParams = {
      ...params,
      layers: params.layers.map((l) => ({
        ...l,
        weights: l.weights.slice(),
        bias: l.bias.slice(),
      })),
    };
    copy.layers[layer]![key][index]! += delta;
    return lossAndGradient(copy, x, y, rows, l2, weights).loss;
  }

  it.each([
    ['unweighted', undefined],
    ['with row weights', rowWeights],
  ])(
    'matches central finite differences for every weight and bias (ReLU, L2, clipping), %s',
    (_name, weights) => {
      const { gradient } = lossAndGradient(params, x, y, rows, l2, weights);
      const h = 1e-6;
      let checked = 0;
      params.layers.forEach((layer, l) => {
        for (const key of ['weights', 'bias'] as const) {
          for (let i = 0; i < layer[key].length; i++) {
            const numeric =
              (lossWith(l, key, i, h, weights) - lossWith(l, key, i, -h, weights)) / (2 * h);
            const analytic = gradient[l]![key][i]!;
            expect(Math.abs(numeric - analytic)).toBeLessThan(1e-6 + 1e-4 * Math.abs(analytic));
            checked++;
          }
        }
      });
      expect(checked).toBe(5 * 4 + 4 + 4 * 3 + 3 + 3 + 1);
    },
  );

  it('weights each row: weight 2 on a row counts it twice', () => {
    const doubled = Float64Array.from({ length: rows }, (_, r) => (r === 0 ? 2 : 1));
    const twiceX = new Float32Array((rows + 1) * 5);
    twiceX.set(x);
    twiceX.set(x.subarray(0, 5), rows * 5);
    const twiceY = Uint8Array.from({ length: rows + 1 }, (_, r) => y[r % rows]!);
    const weighted = lossAndGradient(params, x, y, rows, 0, doubled).loss * rows;
    const repeated = lossAndGradient(params, twiceX, twiceY, rows + 1, 0).loss * (rows + 1);
    expect(weighted).toBeCloseTo(repeated, 10);
  });

  it('adds l2/2 · Σ weights² to the mean cross-entropy', () => {
    const plain = lossAndGradient(params, x, y, rows, 0).loss;
    let squares = 0;
    for (const layer of params.layers) for (const w of layer.weights) squares += w * w;
    expect(lossAndGradient(params, x, y, rows, l2).loss).toBeCloseTo(
      plain + (l2 / 2) * squares,
      12,
    );
  });
});
