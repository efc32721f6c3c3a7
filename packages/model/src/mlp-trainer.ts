// Fits an MlpParams by mini-batch Adam on the binary cross-entropy. Hand-written on purpose:
// a few thousand parameters need no ML library, and owning every step makes the result
// bit-reproducible from the seed.
import { createRng } from '@predictq/random';
import type { Rng } from '@predictq/random';
import { z } from 'zod';
import type { MlpParams } from './mlp';
import { standardisation } from './mlp';
import type { Network } from './mlp-backprop';
import { createBackprop, createNetwork, finishGradient, standardiseRows } from './mlp-backprop';

export const trainerOptionsSchema = z.object({
  /** Units of each hidden layer (ReLU). */
  hidden: z.array(z.number().int().min(1).max(4096)).max(16).default([32, 16]),
  epochs: z.number().int().min(1).max(100_000).default(20),
  batchSize: z.number().int().min(1).default(64),
  learningRate: z.number().positive().default(0.003),
  /** L2 penalty on the weights (not the biases), added to the gradient. */
  l2: z.number().min(0).default(1e-4),
  /** Standardised features are clipped to ±inputClip, in training and in the exported graph. */
  inputClip: z.number().positive().default(20),
});

/** Trainer options with every default filled in (what a manifest records). */
export type TrainerOptions = z.infer<typeof trainerOptionsSchema>;

export interface EpochReport {
  /** 1-based. */
  epoch: number;
  /**
   * Mean binary cross-entropy of the epoch's rows (weighted, when rows have weights), each taken
   * before its batch's update.
   */
  loss: number;
}

export type TrainMlpOptions = Partial<TrainerOptions> & {
  seed: number;
  /**
   * Per-row weights (≥ 0, for example recency): the objective becomes the weighted mean
   * cross-entropy. They are scaled to mean 1 first, so that every mini-batch keeps the step
   * size of an unweighted one on average and only the rows' shares change. Leaving them out
   * trains exactly (bit for bit) as weights all 1 would.
   */
  weights?: ArrayLike<number>;
  onEpoch?: (report: EpochReport) => void;
};

const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPS = 1e-8;

/**
 * Trains on `rows` rows of raw features `x` (row-major, width = x.length / rows) and 0/1 (or
 * soft, in [0, 1]) labels `y`. The same seed and data give bit-identical parameters: the rng
 * draws the initial weights, then one permutation per epoch, and nothing else is random.
 */
export function trainMlp(
  x: Float32Array,
  y: Uint8Array | Float32Array,
  rows: number,
  options: TrainMlpOptions,
): MlpParams {
  const { seed, onEpoch, weights, ...rest } = options;
  const settings = trainerOptionsSchema.parse(rest);
  const inputs = checkData(x, y, rows);
  const rowWeights = weights === undefined ? undefined : meanOneWeights(weights, rows);
  const rng = createRng(seed);
  const { mean, std, constant } = standardisation(x, rows, inputs);
  const scaling = { inputs, mean, std, clip: settings.inputClip };
  const xs = standardiseRows(x, rows, scaling);
  const net = createNetwork(inputs, settings.hidden);
  initialise(net, rng, constant, baseRate(y, rows, rowWeights));
  const step = createBatchStep(net, xs, y, settings, rowWeights);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    shuffleInPlace(order, rng);
    let loss = 0;
    for (let start = 0; start < rows; start += settings.batchSize) {
      loss += step(order, start, Math.min(start + settings.batchSize, rows));
    }
    loss /= rows;
    if (!Number.isFinite(loss)) {
      throw new Error(`training diverged at epoch ${epoch} (loss ${loss}); lower learningRate`);
    }
    onEpoch?.({ epoch, loss });
  }
  return { ...scaling, layers: net.layers };
}

function checkData(x: Float32Array, y: Uint8Array | Float32Array, rows: number): number {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be >= 1, got ${rows}`);
  if (y.length !== rows) throw new RangeError(`y has ${y.length} labels for ${rows} rows`);
  const inputs = x.length / rows;
  if (!Number.isInteger(inputs) || inputs < 1) {
    throw new RangeError(`x has ${x.length} floats, not a whole number of ${rows} rows`);
  }
  for (let k = 0; k < x.length; k++) {
    if (!Number.isFinite(x[k])) {
      throw new RangeError(`x[row ${Math.floor(k / inputs)}, column ${k % inputs}] is ${x[k]}`);
    }
  }
  for (let r = 0; r < rows; r++) {
    const t = y[r] as number;
    if (!(t >= 0 && t <= 1)) throw new RangeError(`label of row ${r} is ${t}, not in [0, 1]`);
  }
  return inputs;
}

/** The weights scaled to mean 1 (all 1 stay exactly 1). */
function meanOneWeights(weights: ArrayLike<number>, rows: number): Float64Array {
  if (weights.length !== rows) {
    throw new RangeError(`weights has ${weights.length} values for ${rows} rows`);
  }
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r] as number;
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`weight of row ${r} is ${w}`);
    sum += w;
  }
  if (!(sum > 0)) throw new RangeError('the weights add up to 0: no row would count');
  return Float64Array.from({ length: rows }, (_, r) => ((weights[r] as number) * rows) / sum);
}

/** The (weighted) share of positive labels; weights have mean 1, so rows is their sum. */
function baseRate(y: Uint8Array | Float32Array, rows: number, weights?: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += (y[r] as number) * (weights ? (weights[r] as number) : 1);
  return sum / rows;
}

/**
 * He-normal weights for the ReLU layers, Glorot-normal for the output, zero biases except the
 * output's, which starts at the logit of the base rate (rankers see few positives; starting at
 * the prior saves the first epoch). Constant input columns get zero weights: they standardise
 * to 0, get no gradient and so stay ignored instead of keeping random weights that would act
 * on unseen values at serving time.
 */
function initialise(net: Network, rng: Rng, constant: Uint8Array, rate: number): void {
  net.layers.forEach((layer, l) => {
    const last = l === net.layers.length - 1;
    const sd = last ? Math.sqrt(2 / (layer.inputs + layer.outputs)) : Math.sqrt(2 / layer.inputs);
    for (let o = 0; o < layer.outputs; o++) {
      for (let i = 0; i < layer.inputs; i++) {
        const w = rng.normal(0, sd);
        layer.weights[o * layer.inputs + i] = l === 0 && constant[i] === 1 ? 0 : w;
      }
    }
    if (last) {
      const p = Math.min(Math.max(rate, 1e-4), 1 - 1e-4);
      layer.bias[0] = Math.log(p / (1 - p));
    }
  });
}

function shuffleInPlace(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const tmp = order[i] as number;
    order[i] = order[j] as number;
    order[j] = tmp;
  }
}

/**
 * Returns a function that runs one mini-batch (rows order[start … end)): forward and backward
 * per row, gradients summed, then one Adam update. It returns the batch's summed loss.
 */
function createBatchStep(
  net: Network,
  xs: Float64Array,
  y: Uint8Array | Float32Array,
  settings: TrainerOptions,
  weights: Float64Array | undefined,
): (order: Int32Array, start: number, end: number) => number {
  const { theta, grad } = net;
  const backprop = createBackprop(net, xs, y, weights);
  const m = new Float64Array(theta.length);
  const v = new Float64Array(theta.length);
  let t = 0;
  return (order, start, end) => {
    let loss = 0;
    for (let k = start; k < end; k++) loss += backprop(order[k] as number);
    finishGradient(net, end - start, settings.l2);
    t++;
    const c1 = 1 - BETA1 ** t;
    const c2 = 1 - BETA2 ** t;
    const rate = settings.learningRate;
    for (let p = 0; p < theta.length; p++) {
      const g = grad[p] as number;
      const mp = BETA1 * (m[p] as number) + (1 - BETA1) * g;
      const vp = BETA2 * (v[p] as number) + (1 - BETA2) * g * g;
      m[p] = mp;
      v[p] = vp;
      theta[p] = (theta[p] as number) - (rate * (mp / c1)) / (Math.sqrt(vp / c2) + ADAM_EPS);
      grad[p] = 0;
    }
    return loss;
  };
}
