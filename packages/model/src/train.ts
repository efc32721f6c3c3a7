// The ranker's trainer: labelled (request, location) pairs in, an ONNX model with its manifest
// and metrics out. Used for the baseline and for retraining from feedback.
import type { EnrichedRequest, LocationFeatures } from '@predictq/domain';
import { createRng } from '@predictq/random';
import type { FeatureEncoder } from './features';
import { createFeatureEncoder, FEATURE_NAMES } from './features';
import type { ModelManifest } from './manifest';
import { MODEL_MANIFEST_FORMAT, modelManifestSchema, sha256Hex } from './manifest';
import type { Metrics } from './metrics';
import { evaluate } from './metrics';
import type { MlpParams } from './mlp';
import { predict, toFloat32Params } from './mlp';
import type { EpochReport, TrainerOptions } from './mlp-trainer';
import { trainerOptionsSchema, trainMlp } from './mlp-trainer';
import { DEFAULT_EXPORT_NAMES, exportOnnx } from './onnx-export';
import { distinctRequests, histogramsOfRequests } from './request-histograms';
import { requestStats } from './request-stats';
import type { OnnxScorer } from './scorer';

export interface TrainingExample {
  request: EnrichedRequest;
  location: LocationFeatures;
  label: 0 | 1;
  /** The request the row belongs to; defaults to the request object itself (its identity). */
  group?: string | number;
  /**
   * The row's weight in training (for example its feedback's recency); 1 when left out. When no
   * example has one, training is exactly the unweighted one.
   */
  weight?: number;
}

export interface TrainRankerOptions {
  examples: readonly TrainingExample[];
  seed: number;
  name: string;
  /** Share of the groups held out for evaluation, in (0, 1). Default 0.2. */
  holdoutFraction?: number;
  /** Features in input order; default FEATURE_NAMES. */
  features?: readonly string[];
  trainer?: Partial<TrainerOptions>;
  onEpoch?: (report: EpochReport) => void;
}

export interface TrainedRanker {
  onnx: Uint8Array;
  manifest: ModelManifest;
  /** The exported parameters (float32 values), for evaluateModel without onnxruntime. */
  params: MlpParams;
  metrics: { train: Metrics; holdout: Metrics };
  /** Indices into `examples` of the rows used for fitting and for the holdout. */
  split: RankerSplit;
}

export interface RankerSplit {
  train: number[];
  holdout: number[];
}

/** Fewer training rows than this cannot fit a network worth exporting. */
export const MIN_TRAINING_ROWS = 20;
export const DEFAULT_HOLDOUT_FRACTION = 0.2;

export function trainRanker(options: TrainRankerOptions): TrainedRanker {
  const { examples, seed, name, onEpoch } = options;
  const holdoutFraction = options.holdoutFraction ?? DEFAULT_HOLDOUT_FRACTION;
  const trainer = trainerOptionsSchema.parse(options.trainer ?? {});
  const encoder = createFeatureEncoder(options.features ?? FEATURE_NAMES);
  const split = splitByGroup(examples, seed, holdoutFraction);
  const train = encodeExamples(examples, split.train, encoder);
  const holdout = encodeExamples(examples, split.holdout, encoder);
  checkTrainingSplit(train.y);

  const weights = exampleWeights(examples, split.train);
  const fitted = trainMlp(train.x, train.y, split.train.length, {
    ...trainer,
    seed,
    weights,
    onEpoch,
  });
  // Everything below describes the exported model: float32 weights, not the float64 fit.
  const params = toFloat32Params(fitted);
  const metrics = {
    train: evaluate(predict(params, train.x, split.train.length), train.y),
    holdout: evaluate(predict(params, holdout.x, split.holdout.length), holdout.y),
  };
  const onnx = exportOnnx(params, {
    ...DEFAULT_EXPORT_NAMES,
    featureNames: encoder.names,
  });
  const manifest = modelManifestSchema.parse({
    format: MODEL_MANIFEST_FORMAT,
    name,
    features: [...encoder.names],
    input: { name: DEFAULT_EXPORT_NAMES.inputName, dtype: 'float32', width: encoder.width },
    output: { name: DEFAULT_EXPORT_NAMES.outputName },
    seed,
    sha256: sha256Hex(onnx),
    hidden: trainer.hidden,
    trainer,
    training: {
      rows: split.train.length,
      positives: metrics.train.positives,
      holdoutRows: split.holdout.length,
      holdoutFraction,
      requestStats: requestStats(examples, split.train),
      requestHistograms: histogramsOfRequests(distinctRequests(examples, split.train), 'training'),
    },
    metrics,
  } satisfies ModelManifest);
  return { onnx, manifest, params, metrics, split };
}

/**
 * Splits the examples' indices into train and holdout by group, so the rows of one request
 * never end up on both sides. Groups are taken in order of first appearance and shuffled with
 * a generator derived from `seed`; the first round(fraction × groups) (at least 1, at most all
 * but 1) form the holdout. Same examples in the same order + same seed → same split.
 */
export function splitByGroup(
  examples: readonly TrainingExample[],
  seed: number,
  holdoutFraction: number,
): RankerSplit {
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
    throw new RangeError(`holdoutFraction must be in (0, 1), got ${holdoutFraction}`);
  }
  const groupOf = new Map<unknown, number>();
  const rowGroup = examples.map((example) => {
    const key = example.group ?? example.request;
    let group = groupOf.get(key);
    if (group === undefined) {
      group = groupOf.size;
      groupOf.set(key, group);
    }
    return group;
  });
  const groups = groupOf.size;
  if (groups < 2) {
    throw new Error(`need at least 2 groups (requests) to hold some out, got ${groups}`);
  }
  const held = Math.min(Math.max(Math.round(holdoutFraction * groups), 1), groups - 1);
  const order = createRng(seed)
    .fork()
    .shuffle(Array.from({ length: groups }, (_, g) => g));
  const inHoldout = new Uint8Array(groups);
  for (let k = 0; k < held; k++) inHoldout[order[k] as number] = 1;
  const split: RankerSplit = { train: [], holdout: [] };
  rowGroup.forEach((group, i) => (inHoldout[group] === 1 ? split.holdout : split.train).push(i));
  return split;
}

/** Feature rows and labels of examples[indices], in that order. */
export function encodeExamples(
  examples: readonly TrainingExample[],
  indices: readonly number[],
  encoder: FeatureEncoder,
): { x: Float32Array; y: Uint8Array } {
  const x = new Float32Array(indices.length * encoder.width);
  const y = new Uint8Array(indices.length);
  const one: LocationFeatures[] = [];
  indices.forEach((index, row) => {
    const example = examples[index];
    if (!example) throw new RangeError(`no example at index ${index}`);
    if (example.label !== 0 && example.label !== 1) {
      throw new RangeError(`example ${index} has label ${String(example.label)}, not 0 or 1`);
    }
    one[0] = example.location;
    encoder.encode(example.request, one, x, row);
    y[row] = example.label;
  });
  return { x, y };
}

/** The weights of examples[indices], or undefined when none of the examples has one. */
export function exampleWeights(
  examples: readonly TrainingExample[],
  indices: readonly number[],
): Float64Array | undefined {
  if (!indices.some((i) => examples[i]?.weight !== undefined)) return undefined;
  return Float64Array.from(indices, (i) => examples[i]?.weight ?? 1);
}

function checkTrainingSplit(y: Uint8Array): void {
  if (y.length < MIN_TRAINING_ROWS) {
    throw new Error(
      `too few training rows: ${y.length} after the holdout split, need at least ${MIN_TRAINING_ROWS}`,
    );
  }
  const positives = y.reduce((sum, label) => sum + label, 0);
  if (positives === 0 || positives === y.length) {
    throw new Error(
      `the training split has ${positives === 0 ? 'no positive' : 'no negative'} rows (${y.length} rows): cannot learn to separate them`,
    );
  }
}

/** A model to evaluate: a loaded ONNX scorer, or exported params with their feature names. */
export type EvaluableModel = OnnxScorer | { params: MlpParams; features: readonly string[] };

/** Rows per onnxruntime run, to bound the memory of a large evaluation. */
const EVALUATION_CHUNK_ROWS = 8192;

/** The scores of `model` for `examples`, in order. */
export async function scoreExamples(
  model: EvaluableModel,
  examples: readonly TrainingExample[],
): Promise<Float32Array | Float64Array> {
  const features = 'params' in model ? model.features : model.featureNames;
  const encoder = createFeatureEncoder(features);
  const all = examples.map((_, i) => i);
  const { x } = encodeExamples(examples, all, encoder);
  if ('params' in model) return predict(model.params, x, examples.length);
  const scores = new Float32Array(examples.length);
  for (let start = 0; start < examples.length; start += EVALUATION_CHUNK_ROWS) {
    const rows = Math.min(EVALUATION_CHUNK_ROWS, examples.length - start);
    const chunk = x.subarray(start * encoder.width, (start + rows) * encoder.width);
    scores.set(await model.score(chunk, rows), start);
  }
  return scores;
}

/**
 * Metrics of `model` on `examples` (for example a previous model's split.holdout), so that a
 * candidate and the active model can be compared on the same rows.
 */
export async function evaluateModel(
  model: EvaluableModel,
  examples: readonly TrainingExample[],
  threshold = 0.5,
): Promise<Metrics> {
  const labels = Uint8Array.from(examples, (e) => e.label);
  return evaluate(await scoreExamples(model, examples), labels, threshold);
}
