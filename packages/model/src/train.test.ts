import { FEATURE_NAMES } from './features';
import { modelManifestSchema, sha256Hex } from './manifest';
import { OnnxScorer } from './scorer';
import { makeLocation, makeRequest, syntheticExamples } from '../test/fixtures';
import type { TrainingExample } from './train';
import { evaluateModel, exampleWeights, splitByGroup, trainRanker } from './train';

const examples = syntheticExamples(1, 400, 15);
const trained = trainRanker({ examples, seed: 7, name: 'synthetic' });

describe('trainRanker', () => {
  it('learns a known rule of the features: holdout AUC above 0.9', () => {
    const { holdout } = trained.metrics;
    expect(holdout.positives).toBeGreaterThan(50);
    expect(holdout.positives).toBeLessThan(holdout.rows - 50);
    expect(holdout.auc!).toBeGreaterThan(0.9);
    expect(holdout.accuracy).toBeGreaterThan(0.85);
  });

  it('writes a valid manifest for the exported bytes', () => {
    const { manifest, onnx, split } = trained;
    expect(modelManifestSchema.parse(manifest)).toEqual(manifest);
    expect(manifest.sha256).toBe(sha256Hex(onnx));
    expect(manifest.features).toEqual(FEATURE_NAMES);
    expect(manifest.input).toEqual({ name: 'features', dtype: 'float32', width: 34 });
    expect(manifest.trainer).toMatchObject({ hidden: [32, 16], epochs: 20 });
    expect(manifest.training).toMatchObject({
      rows: split.train.length,
      holdoutRows: split.holdout.length,
      positives: split.train.filter((i) => examples[i]!.label === 1).length,
    });
    expect(split.train.length + split.holdout.length).toBe(examples.length);
    expect(manifest.metrics.holdout).toEqual(trained.metrics.holdout);
  });

  it('keeps every request on one side of the split, about holdoutFraction of them held out', () => {
    const groups = (indices: number[]) => new Set(indices.map((i) => examples[i]!.group));
    const train = groups(trained.split.train);
    const holdout = groups(trained.split.holdout);
    expect([...holdout].filter((g) => train.has(g))).toEqual([]);
    expect(holdout.size).toBe(80); // 0.2 × 400 requests
  });

  it('stores metrics that describe the exported ONNX model', async () => {
    const holdout = trained.split.holdout.map((i) => examples[i]!);
    const viaParams = await evaluateModel(
      { params: trained.params, features: trained.manifest.features },
      holdout,
    );
    expect(viaParams).toEqual(trained.metrics.holdout);
    const scorer = await OnnxScorer.load(trained.onnx, trained.manifest);
    try {
      const viaOnnx = await evaluateModel(scorer, holdout);
      expect(viaOnnx.auc!).toBeCloseTo(trained.metrics.holdout.auc!, 4);
      expect(viaOnnx.log_loss).toBeCloseTo(trained.metrics.holdout.log_loss, 5);
      expect(viaOnnx.accuracy).toBeCloseTo(trained.metrics.holdout.accuracy, 2);
    } finally {
      await scorer.release();
    }
  });

  it('gives identical ONNX bytes for the same seed and data, other bytes for another seed', () => {
    const small = examples.slice(0, 1200);
    const options = { examples: small, name: 'small', trainer: { epochs: 3 } };
    const a = trainRanker({ ...options, seed: 3 });
    const b = trainRanker({ ...options, seed: 3 });
    expect(Buffer.from(b.onnx).equals(Buffer.from(a.onnx))).toBe(true);
    expect(b.manifest).toEqual(a.manifest);
    const c = trainRanker({ ...options, seed: 4 });
    expect(c.manifest.sha256).not.toBe(a.manifest.sha256);
  });

  it("trains on the examples' weights: all 1 is no weight, others give other bytes", () => {
    const small = examples.slice(0, 1200);
    const options = { name: 'small', seed: 3, trainer: { epochs: 3 } };
    const plain = trainRanker({ ...options, examples: small });
    const ones = trainRanker({ ...options, examples: small.map((e) => ({ ...e, weight: 1 })) });
    expect(ones.manifest.sha256).toBe(plain.manifest.sha256);
    const recent = small.map((e, i) => ({ ...e, weight: i < 600 ? 1 : 0.5 }));
    expect(trainRanker({ ...options, examples: recent }).manifest.sha256).not.toBe(
      plain.manifest.sha256,
    );
    expect(exampleWeights(recent, [0, 700])).toEqual(Float64Array.of(1, 0.5));
    expect(exampleWeights(small, [0, 700])).toBeUndefined();
  });

  it('trains on a subset of the features, in the order given', () => {
    const features = ['wishes_met', 'price_budget_ratio', 'user_score'];
    const result = trainRanker({
      examples: examples.slice(0, 600),
      seed: 1,
      name: 'subset',
      features,
      trainer: { epochs: 2, hidden: [4] },
    });
    expect(result.manifest.features).toEqual(features);
    expect(result.manifest.input.width).toBe(3);
    expect(result.manifest.hidden).toEqual([4]);
  });

  it('fails clearly with too few rows or a single class in the training split', () => {
    expect(() => trainRanker({ examples: examples.slice(0, 30), seed: 1, name: 'tiny' })).toThrow(
      /too few training rows: \d+ after the holdout split, need at least 20/,
    );
    const negatives = examples.map((e) => ({ ...e, label: 0 as const }));
    expect(() => trainRanker({ examples: negatives, seed: 1, name: 'none' })).toThrow(
      /the training split has no positive rows/,
    );
    expect(() => trainRanker({ examples, seed: 1, name: 'x', holdoutFraction: 1 })).toThrow(
      'holdoutFraction must be in (0, 1), got 1',
    );
  });
});

describe('splitByGroup', () => {
  it('is deterministic for a seed and groups rows by request object when no group is given', () => {
    const requests = [makeRequest(), makeRequest({ budget: 90 }), makeRequest({ nights: 2 })];
    const rows: TrainingExample[] = [0, 1, 2, 0, 1, 2, 2].map((r) => ({
      request: requests[r]!,
      location: makeLocation(),
      label: 0,
    }));
    const split = splitByGroup(rows, 5, 0.34);
    expect(splitByGroup(rows, 5, 0.34)).toEqual(split);
    expect(split.holdout.length + split.train.length).toBe(7);
    const held = new Set(split.holdout.map((i) => rows[i]!.request));
    expect(held.size).toBe(1);
    expect(split.train.every((i) => !held.has(rows[i]!.request))).toBe(true);
    const seeds = [1, 2, 3, 4, 5, 6].map((seed) => splitByGroup(rows, seed, 0.34).holdout.join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('needs two groups to hold one out', () => {
    const one = [{ request: makeRequest(), location: makeLocation(), label: 1 as const }];
    expect(() => splitByGroup(one, 1, 0.2)).toThrow(
      'need at least 2 groups (requests) to hold some out, got 1',
    );
  });
});
