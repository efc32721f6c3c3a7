// Forward and backward passes of the MLP on the binary cross-entropy, shared by the trainer and
// by lossAndGradient (which the gradient check in the tests compares with finite differences).
import type { DenseLayer, MlpParams } from './mlp';
import { checkParams, dense, relu, sigmoid } from './mlp';

/** Parameters and gradient in flat buffers: the Adam update runs over one array. */
export interface Network {
  /** Views into theta. */
  layers: DenseLayer[];
  /** All weights and biases, layer by layer (weights row-major, then biases). */
  theta: Float64Array;
  /** Laid out like theta; gradLayers are views into it. */
  grad: Float64Array;
  gradLayers: DenseLayer[];
  /** 1 where theta holds a weight (L2 applies), 0 for a bias. */
  isWeight: Uint8Array;
}

export function createNetwork(inputs: number, hidden: readonly number[]): Network {
  const sizes = [inputs, ...hidden, 1];
  let total = 0;
  for (let l = 1; l < sizes.length; l++) {
    total += (sizes[l - 1] as number) * (sizes[l] as number) + (sizes[l] as number);
  }
  const net: Network = {
    layers: [],
    theta: new Float64Array(total),
    grad: new Float64Array(total),
    gradLayers: [],
    isWeight: new Uint8Array(total),
  };
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const n = sizes[l - 1] as number;
    const m = sizes[l] as number;
    const view = (a: Float64Array): DenseLayer => ({
      inputs: n,
      outputs: m,
      weights: a.subarray(at, at + n * m),
      bias: a.subarray(at + n * m, at + n * m + m),
    });
    net.layers.push(view(net.theta));
    net.gradLayers.push(view(net.grad));
    net.isWeight.fill(1, at, at + n * m);
    at += n * m + m;
  }
  return net;
}

/** Standardised and clipped rows, in float64: what the network trains on. */
export function standardiseRows(
  x: Float32Array,
  rows: number,
  params: Pick<MlpParams, 'inputs' | 'mean' | 'std' | 'clip'>,
): Float64Array {
  const { inputs, mean, std, clip } = params;
  const xs = new Float64Array(rows * inputs);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < inputs; j++) {
      const k = r * inputs + j;
      const scaled = ((x[k] as number) - (mean[j] as number)) / (std[j] as number);
      xs[k] = Math.min(Math.max(scaled, -clip), clip);
    }
  }
  return xs;
}

/**
 * Returns a function that runs row `row` of `xs` forward and backward, adds its gradient of the
 * cross-entropy, times the row's weight (1 without `weights`), to net.grad and returns its
 * weighted loss. Buffers are allocated once, here.
 */
export function createBackprop(
  net: Network,
  xs: Float64Array,
  y: Uint8Array | Float32Array,
  weights?: Float64Array,
): (row: number) => number {
  const { layers, gradLayers } = net;
  const inputs = (layers[0] as DenseLayer).inputs;
  const last = layers.length - 1;
  const acts = layers.map((l) => new Float64Array(l.outputs));
  const deltas = layers.map((l) => new Float64Array(l.outputs));

  // Locals hoisted out of the inner loops: V8 then keeps the typed arrays in registers.
  const backward = (at: number): void => {
    for (let l = last; l >= 0; l--) {
      const layer = layers[l] as DenseLayer;
      const gWeights = (gradLayers[l] as DenseLayer).weights;
      const gBias = (gradLayers[l] as DenseLayer).bias;
      const input = l === 0 ? xs : (acts[l - 1] as Float64Array);
      const from = l === 0 ? at : 0;
      const delta = deltas[l] as Float64Array;
      const n = layer.inputs;
      for (let o = 0; o < layer.outputs; o++) {
        const d = delta[o] as number;
        if (d === 0) continue; // a dead ReLU unit: nothing flows through it
        gBias[o] = (gBias[o] as number) + d;
        const row = o * n;
        for (let i = 0; i < n; i++) {
          gWeights[row + i] = (gWeights[row + i] as number) + d * (input[from + i] as number);
        }
      }
      if (l > 0) propagate(layer, delta, deltas[l - 1] as Float64Array, input);
    }
  };

  return (row) => {
    let input = xs;
    let at = row * inputs;
    for (let l = 0; l <= last; l++) {
      const out = acts[l] as Float64Array;
      dense(layers[l] as DenseLayer, input, at, out);
      if (l < last) relu(out);
      input = out;
      at = 0;
    }
    const z = (acts[last] as Float64Array)[0] as number;
    const target = y[row] as number;
    // A weight of 1 multiplies exactly: unweighted training stays bit-identical.
    const weight = weights ? (weights[row] as number) : 1;
    (deltas[last] as Float64Array)[0] = (sigmoid(z) - target) * weight;
    backward(row * inputs);
    // BCE on the logit: max(z, 0) - z·t + log(1 + e^-|z|) never overflows.
    return (Math.max(z, 0) - z * target + Math.log1p(Math.exp(-Math.abs(z)))) * weight;
  };
}

/** below = (weightsᵀ · delta) ⊙ [activation > 0]: the error one layer down. */
function propagate(
  layer: DenseLayer,
  delta: Float64Array,
  below: Float64Array,
  activation: Float64Array,
): void {
  const { weights, inputs, outputs } = layer;
  below.fill(0);
  for (let o = 0; o < outputs; o++) {
    const d = delta[o] as number;
    if (d === 0) continue;
    const row = o * inputs;
    for (let i = 0; i < inputs; i++) {
      below[i] = (below[i] as number) + (weights[row + i] as number) * d;
    }
  }
  for (let i = 0; i < inputs; i++) if ((activation[i] as number) <= 0) below[i] = 0;
}

/**
 * Turns the summed gradient of `count` rows in net.grad into the gradient of the objective
 * mean(BCE) + l2/2 · Σ weights² (biases are not penalised).
 */
export function finishGradient(net: Network, count: number, l2: number): void {
  const { theta, grad, isWeight } = net;
  for (let p = 0; p < theta.length; p++) {
    grad[p] = (grad[p] as number) / count + (isWeight[p] === 1 ? l2 * (theta[p] as number) : 0);
  }
}

/**
 * The objective the trainer minimises, mean(w · BCE) + l2/2 · Σ weights², and its gradient
 * (shaped like params.layers), in float64 over all rows; `rowWeights` (default all 1) are taken
 * as given, the trainer scales them to mean 1 first. For gradient checks and debugging.
 */
export function lossAndGradient(
  params: MlpParams,
  x: Float32Array,
  y: Uint8Array | Float32Array,
  rows: number,
  l2: number,
  rowWeights?: Float64Array,
): { loss: number; gradient: DenseLayer[] } {
  checkParams(params);
  const net = createNetwork(
    params.inputs,
    params.layers.slice(0, -1).map((l) => l.outputs),
  );
  net.layers.forEach((layer, l) => {
    layer.weights.set((params.layers[l] as DenseLayer).weights);
    layer.bias.set((params.layers[l] as DenseLayer).bias);
  });
  const backprop = createBackprop(net, standardiseRows(x, rows, params), y, rowWeights);
  let loss = 0;
  for (let r = 0; r < rows; r++) loss += backprop(r);
  finishGradient(net, rows, l2);
  let squares = 0;
  net.theta.forEach((w, p) => (squares += net.isWeight[p] === 1 ? w * w : 0));
  return { loss: loss / rows + (l2 / 2) * squares, gradient: net.gradLayers };
}
