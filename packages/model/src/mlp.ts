// A small multilayer perceptron for binary classification: standardise, dense layers with ReLU,
// one logit, sigmoid. These are the parameters and the forward pass; mlp-trainer.ts fits them.

/** A fully connected layer: out = weights · in + bias. */
export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** outputs × inputs, row-major (the layout of ONNX Gemm's B with transB = 1). */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
}

export interface MlpParams {
  /** Features per row. */
  readonly inputs: number;
  /** Standardisation: x' = clip((x - mean) / std, -clip, clip), per feature. */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /**
   * Bound of the standardised features. Absurd inputs (a budget of 1e6 when training saw
   * hundreds) then act like very large ones instead of driving the ReLU layers far outside
   * anything trained, where the scores saturate and float32 round-off decides the ranking.
   */
  readonly clip: number;
  /** Hidden layers (ReLU after each) and the output layer (one unit, sigmoid). */
  readonly layers: readonly DenseLayer[];
}

/** The smallest std used for scaling, so that a nearly constant column cannot blow up. */
export const STD_FLOOR = 1e-6;

/**
 * Per-feature mean and population std of the rows. A constant column gets its value as mean
 * and std 1, so that it standardises to exactly 0 (and training leaves its weights alone); any
 * other std is floored at STD_FLOOR.
 */
export function standardisation(
  x: Float32Array,
  rows: number,
  inputs: number,
): { mean: Float64Array; std: Float64Array; constant: Uint8Array } {
  const mean = new Float64Array(inputs);
  const std = new Float64Array(inputs);
  const constant = new Uint8Array(inputs);
  for (let j = 0; j < inputs; j++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let r = 0; r < rows; r++) {
      const v = x[r * inputs + j] as number;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (min === max) {
      mean[j] = min;
      std[j] = 1;
      constant[j] = 1;
      continue;
    }
    const m = sum / rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += ((x[r * inputs + j] as number) - m) ** 2;
    mean[j] = m;
    std[j] = Math.max(Math.sqrt(sq / rows), STD_FLOOR);
  }
  return { mean, std, constant };
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * The same network with every number rounded to float32: exactly the initializers that
 * exportOnnx writes. Evaluating these describes the exported model, not the training run.
 */
export function toFloat32Params(params: MlpParams): MlpParams {
  const round = (a: Float64Array) => Float64Array.from(Float32Array.from(a));
  return {
    inputs: params.inputs,
    clip: Math.fround(params.clip),
    mean: round(params.mean),
    std: round(params.std),
    layers: params.layers.map((layer) => ({
      inputs: layer.inputs,
      outputs: layer.outputs,
      weights: round(layer.weights),
      bias: round(layer.bias),
    })),
  };
}

/** Throws unless the shapes of `params` fit together and end in one output. */
export function checkParams(params: MlpParams): void {
  const { inputs, mean, std, clip, layers } = params;
  if (!(clip > 0)) throw new RangeError(`clip must be > 0, got ${clip}`);
  if (mean.length !== inputs || std.length !== inputs) {
    throw new RangeError(`mean/std have ${mean.length}/${std.length} values for ${inputs} inputs`);
  }
  let width = inputs;
  layers.forEach((layer, l) => {
    if (layer.inputs !== width) {
      throw new RangeError(`layer ${l} takes ${layer.inputs} inputs but receives ${width}`);
    }
    if (layer.weights.length !== layer.inputs * layer.outputs) {
      throw new RangeError(`layer ${l} has ${layer.weights.length} weights, not in × out`);
    }
    if (layer.bias.length !== layer.outputs) {
      throw new RangeError(`layer ${l} has ${layer.bias.length} biases for ${layer.outputs}`);
    }
    width = layer.outputs;
  });
  if (layers.length === 0 || width !== 1) throw new RangeError('the last layer must have 1 output');
}

/**
 * Probabilities for `rows` rows of raw (unstandardised) features, computed the way the exported
 * ONNX graph computes them: every tensor that crosses a node boundary (centred, scaled and
 * clipped inputs, each layer's output) is rounded to float32, as onnxruntime stores it, while
 * sums run in float64. With toFloat32Params this is the exported model's forward pass up to
 * the order in which onnxruntime accumulates its float32 sums.
 */
export function predict(params: MlpParams, x: Float32Array, rows: number): Float64Array {
  checkParams(params);
  const { inputs, mean, std, layers } = params;
  const clip = Math.fround(params.clip);
  if (!Number.isInteger(rows) || rows < 0 || x.length < rows * inputs) {
    throw new RangeError(`x has ${x.length} floats, fewer than ${rows} rows × ${inputs}`);
  }
  const buffers = [new Float64Array(inputs), ...layers.map((l) => new Float64Array(l.outputs))];
  const first = buffers[0] as Float64Array;
  const out = new Float64Array(rows);
  const f32 = Math.fround;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < inputs; j++) {
      const scaled = f32(
        f32((x[r * inputs + j] as number) - (mean[j] as number)) / (std[j] as number),
      );
      first[j] = Math.min(Math.max(scaled, -clip), clip);
    }
    for (let l = 0; l < layers.length; l++) {
      const next = buffers[l + 1] as Float64Array;
      dense(layers[l] as DenseLayer, buffers[l] as Float64Array, 0, next);
      for (let o = 0; o < next.length; o++) next[o] = f32(next[o] as number);
      if (l < layers.length - 1) relu(next);
    }
    out[r] = sigmoid((buffers[layers.length] as Float64Array)[0] as number);
  }
  return out;
}

/** out = weights · input[at … at + inputs) + bias. */
export function dense(layer: DenseLayer, input: Float64Array, at: number, out: Float64Array): void {
  const { inputs, outputs, weights, bias } = layer;
  for (let o = 0; o < outputs; o++) {
    let sum = bias[o] as number;
    const row = o * inputs;
    for (let i = 0; i < inputs; i++)
      sum += (weights[row + i] as number) * (input[at + i] as number);
    out[o] = sum;
  }
}

export function relu(values: Float64Array): void {
  for (let i = 0; i < values.length; i++) if ((values[i] as number) < 0) values[i] = 0;
}
