import { createRng } from '@predictq/random';
import type { MlpParams } from './mlp';
import { lossAndGradient } from './mlp-backprop';
import { randomParams } from './test-fixtures';

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

  function lossWith(layer: number, key: 'weights' | 'bias', index: number, delta: number): number {
    const copy: MlpParams = {
      ...params,
      layers: params.layers.map((l) => ({
        ...l,
        weights: l.weights.slice(),
        bias: l.bias.slice(),
      })),
    };
    copy.layers[layer]![key][index]! += delta;
    return lossAndGradient(copy, x, y, rows, l2).loss;
  }

  it('matches central finite differences for every weight and bias (ReLU, L2, clipping)', () => {
    const { gradient } = lossAndGradient(params, x, y, rows, l2);
    const h = 1e-6;
    let checked = 0;
    params.layers.forEach((layer, l) => {
      for (const key of ['weights', 'bias'] as const) {
        for (let i = 0; i < layer[key].length; i++) {
          const numeric = (lossWith(l, key, i, h) - lossWith(l, key, i, -h)) / (2 * h);
          const analytic = gradient[l]![key][i]!;
          expect(Math.abs(numeric - analytic)).toBeLessThan(1e-6 + 1e-4 * Math.abs(analytic));
          checked++;
        }
      }
    });
    expect(checked).toBe(5 * 4 + 4 + 4 * 3 + 3 + 3 + 1);
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
