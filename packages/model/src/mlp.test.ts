import { createRng } from '@predictq/random';
import { evaluate } from './metrics';
import type { MlpParams } from './mlp';
import { predict, sigmoid, standardisation, toFloat32Params } from './mlp';
import { trainMlp } from './mlp-trainer';

/** rows × width normal features; label = x0 + x1 > 0 (a linear rule the MLP must find). */
function linearProblem(seed: number, rows: number, width: number) {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: rows * width }, () => rng.normal(0, 3) + 10);
  const y = Uint8Array.from({ length: rows }, (_, r) =>
    x[r * width]! + x[r * width + 1]! > 20 ? 1 : 0,
  );
  return { x, y };
}

describe('predict', () => {
  // 2 inputs, scaled by mean [1, 0] and std [2, 1]; a 2-unit ReLU layer; one output.
  const params: MlpParams = {
    inputs: 2,
    clip: 3,
    mean: Float64Array.of(1, 0),
    std: Float64Array.of(2, 1),
    layers: [
      {
        inputs: 2,
        outputs: 2,
        weights: Float64Array.of(1, -1, 0.5, 2),
        bias: Float64Array.of(0, -1),
      },
      { inputs: 2, outputs: 1, weights: Float64Array.of(2, -3), bias: Float64Array.of(0.5) },
    ],
  };

  it('standardises, applies the ReLU layers and the sigmoid, as computed by hand', () => {
    // [3, 1] → [1, 1] → relu([0, 1.5]) → 2·0 − 3·1.5 + 0.5 = −4.
    // [−1, −2] → [−1, −2] → relu([1, −5.5]) → 2·1 − 0 + 0.5 = 2.5.
    const scores = predict(params, Float32Array.of(3, 1, -1, -2), 2);
    expect(scores[0]).toBeCloseTo(1 / (1 + Math.exp(4)), 15);
    expect(scores[1]).toBeCloseTo(1 / (1 + Math.exp(-2.5)), 15);
  });

  it('clips standardised features, so a far-out value scores like the bound', () => {
    // Feature 0 standardises to (x − 1) / 2: clip 3 is reached at x = 7.
    const scores = predict(params, Float32Array.of(7, 1, 1e6, 1, 5, 1), 3);
    expect(scores[1]).toBe(scores[0]);
    expect(scores[2]).not.toBe(scores[0]);
  });

  it('refuses params whose layers do not fit together', () => {
    const three = { ...params, inputs: 3, mean: new Float64Array(3), std: new Float64Array(3) };
    expect(() => predict(three, Float32Array.of(1, 2, 3), 1)).toThrow(
      'layer 0 takes 2 inputs but receives 3',
    );
    const wide = { ...params, layers: [params.layers[0]!] };
    expect(() => predict(wide, Float32Array.of(1, 2), 1)).toThrow(
      'the last layer must have 1 output',
    );
  });
});

describe('sigmoid', () => {
  it('stays finite and exact at the extremes', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).toBe(0);
    expect(sigmoid(-30)).toBeCloseTo(Math.exp(-30), 25);
  });
});

describe('standardisation', () => {
  it('uses the mean and population std, and passes a constant column through as 0', () => {
    const x = Float32Array.of(1, 5, 3, 5); // column 0: 1, 3; column 1: constant 5
    const { mean, std, constant } = standardisation(x, 2, 2);
    expect([...mean]).toEqual([2, 5]);
    expect([...std]).toEqual([1, 1]);
    expect([...constant]).toEqual([0, 1]);
  });
});

describe('trainMlp', () => {
  const { x, y } = linearProblem(1, 600, 5);
  const options = { seed: 42, epochs: 4, hidden: [8, 4], batchSize: 32, learningRate: 0.01 };

  it('gives bit-identical parameters for the same seed and data, others for another seed', () => {
    const a = trainMlp(x, y, 600, options);
    const b = trainMlp(x, y, 600, options);
    expect(b).toEqual(a);
    const c = trainMlp(x, y, 600, { ...options, seed: 43 });
    expect(c.layers[0]!.weights).not.toEqual(a.layers[0]!.weights);
  });

  it('learns a linear rule and reports a falling loss once per epoch', () => {
    const losses: number[] = [];
    const params = trainMlp(x, y, 600, {
      ...options,
      epochs: 20,
      onEpoch: ({ epoch, loss }) => (losses[epoch - 1] = loss),
    });
    expect(losses).toHaveLength(20);
    expect(losses[19]!).toBeLessThan(losses[0]! / 2);
    const metrics = evaluate(predict(toFloat32Params(params), x, 600), y);
    expect(metrics.accuracy).toBeGreaterThan(0.95);
    expect(metrics.auc!).toBeGreaterThan(0.99);
  });

  it('keeps zero weights on a constant column, so unseen values there change nothing', () => {
    const withConstant = x.slice();
    for (let r = 0; r < 600; r++) withConstant[r * 5 + 2] = 0.3;
    const params = trainMlp(withConstant, y, 600, options);
    expect(params.mean[2]).toBe(Math.fround(0.3));
    const first = params.layers[0]!;
    for (let o = 0; o < first.outputs; o++) expect(first.weights[o * 5 + 2]).toBe(0);
    const changed = withConstant.slice(0, 5);
    changed[2] = 1e6;
    expect(predict(params, changed, 1)).toEqual(predict(params, withConstant.slice(0, 5), 1));
  });

  it('trains bit for bit as before when every weight is the same', () => {
    const plain = trainMlp(x, y, 600, options);
    expect(trainMlp(x, y, 600, { ...options, weights: new Float64Array(600).fill(1) })).toEqual(
      plain,
    );
    // Weights are scaled to mean 1, so any constant weight is no weight at all.
    expect(trainMlp(x, y, 600, { ...options, weights: new Float64Array(600).fill(0.25) })).toEqual(
      plain,
    );
  });

  it('fits the weighted mean: rows with weight 0 do not count, 3:1 weights give p = 3/4', () => {
    // Every feature row twice: first with the rule's label, then with the opposite one.
    const both = new Float32Array(1200 * 5);
    both.set(x);
    both.set(x, 600 * 5);
    const labels = Uint8Array.from({ length: 1200 }, (_, r) => (r < 600 ? y[r]! : 1 - y[r - 600]!));
    const ruleOnly = Float64Array.from({ length: 1200 }, (_, r) => (r < 600 ? 1 : 0));
    const fitted = trainMlp(both, labels, 1200, { ...options, epochs: 20, weights: ruleOnly });
    expect(evaluate(predict(fitted, x, 600), y).accuracy).toBeGreaterThan(0.95);

    const threeToOne = Float64Array.from({ length: 1200 }, (_, r) => (r < 600 ? 3 : 1));
    const soft = trainMlp(both, labels, 1200, { ...options, epochs: 20, weights: threeToOne });
    const scores = predict(soft, x, 600);
    const positives = [...scores].filter((_, r) => y[r] === 1);
    const mean = positives.reduce((a, b) => a + b, 0) / positives.length;
    expect(mean).toBeGreaterThan(0.65);
    expect(mean).toBeLessThan(0.85);
  });

  it('rejects weights of the wrong length, negative or non-finite ones, and all zeros', () => {
    expect(() => trainMlp(x, y, 600, { ...options, weights: [1, 2] })).toThrow(
      'weights has 2 values for 600 rows',
    );
    const negative = new Float64Array(600).fill(1);
    negative[5] = -1;
    expect(() => trainMlp(x, y, 600, { ...options, weights: negative })).toThrow(
      'weight of row 5 is -1',
    );
    expect(() => trainMlp(x, y, 600, { ...options, weights: new Float64Array(600) })).toThrow(
      'the weights add up to 0',
    );
  });

  it('rejects non-finite features, labels outside [0, 1] and a ragged matrix', () => {
    const bad = x.slice();
    bad[7] = NaN;
    expect(() => trainMlp(bad, y, 600, options)).toThrow('x[row 1, column 2] is NaN');
    const labels = y.slice();
    labels[3] = 2;
    expect(() => trainMlp(x, labels, 600, options)).toThrow('label of row 3 is 2, not in [0, 1]');
    expect(() => trainMlp(x.subarray(1), y, 600, options)).toThrow(
      /not a whole number of 600 rows/,
    );
    expect(() => trainMlp(x, y, 600, { ...options, hidden: [0] })).toThrow();
  });
});
