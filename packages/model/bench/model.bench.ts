// Measures the model package on this machine: trainMlp on a baseline-sized training set (40,000
// rows × 34 features, 20 epochs, default options), the feature encoder on the worker's hot path
// (requests × 100 candidates) and one onnxruntime run per batch of candidate rows.
// Run: npx tsx packages/model/bench/model.bench.ts [rows] [epochs]
import { createRng } from '@predictq/random';
import { createFeatureEncoder, FEATURE_NAMES } from '../src/features';
import { trainMlp } from '../src/mlp-trainer';
import { toFloat32Params } from '../src/mlp';
import { DEFAULT_EXPORT_NAMES, exportOnnx } from '../src/onnx-export';
import { OnnxScorer } from '../src/scorer';
import { makeRequest, manifestFor, randomLocation } from '../test/fixtures';

const rows = Number(process.argv[2] ?? 40_000);
const epochs = Number(process.argv[3] ?? 20);
const width = FEATURE_NAMES.length;
const CANDIDATES = 100;

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const rng = createRng(1);
  const x = Float32Array.from({ length: rows * width }, () => rng.normal(0, 1));
  const y = Uint8Array.from({ length: rows }, (_, r) => {
    const z = x[r * width]! + x[r * width + 1]! - x[r * width + 2]! + rng.normal(0, 1);
    return z > 1 ? 1 : 0;
  });
  let started = process.hrtime.bigint();
  let lastLoss = NaN;
  const params = trainMlp(x, y, rows, {
    seed: 7,
    epochs,
    onEpoch: ({ loss }) => (lastLoss = loss),
  });
  print(
    `trainMlp: ${rows} rows × ${width} features × ${epochs} epochs in ${seconds(started).toFixed(2)} s (final loss ${lastLoss.toFixed(4)})`,
  );

  const encoder = createFeatureEncoder(FEATURE_NAMES);
  const locations = Array.from({ length: CANDIDATES }, () => randomLocation(rng));
  const request = makeRequest();
  const out = new Float32Array(CANDIDATES * width);
  const requests = 20_000;
  started = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) encoder.encode(request, locations, out, 0);
  const perRequest = (seconds(started) / requests) * 1e6;
  print(`encode: ${perRequest.toFixed(1)} µs per request of ${CANDIDATES} rows`);

  const onnx = exportOnnx(toFloat32Params(params), {
    ...DEFAULT_EXPORT_NAMES,
    featureNames: FEATURE_NAMES,
  });
  const scorer = await OnnxScorer.load(onnx, manifestFor(onnx, FEATURE_NAMES));
  for (const batch of [1, 8, 32]) {
    const features = new Float32Array(batch * CANDIDATES * width).fill(0.5);
    const runs = 2000 / batch;
    started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await scorer.score(features, batch * CANDIDATES);
    const perRun = (seconds(started) / runs) * 1e6;
    print(
      `score: ${batch * CANDIDATES} rows per run in ${perRun.toFixed(0)} µs (${(perRun / batch).toFixed(0)} µs per request)`,
    );
  }
  await scorer.release();
}

void main();
