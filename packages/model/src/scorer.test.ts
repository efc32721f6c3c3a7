import { FEATURE_NAMES } from './features';
import { predict, toFloat32Params } from './mlp';
import { DEFAULT_EXPORT_NAMES, exportOnnx } from './onnx-export';
import { OnnxScorer } from './scorer';
import { manifestFor, randomParams } from '../test/fixtures';

const WIDTH = FEATURE_NAMES.length;
const params = toFloat32Params(randomParams(11, [WIDTH, 8, 1]));
const bytes = exportOnnx(params, { ...DEFAULT_EXPORT_NAMES, featureNames: FEATURE_NAMES });

function rows(count: number): Float32Array {
  return Float32Array.from({ length: count * WIDTH }, (_, k) => params.mean[k % WIDTH]! + (k % 7));
}

describe('OnnxScorer', () => {
  it('scores one probability per row, like the forward pass of the same weights', async () => {
    const scorer = await OnnxScorer.load(bytes, manifestFor(bytes, FEATURE_NAMES));
    try {
      expect(scorer.featureNames).toEqual(FEATURE_NAMES);
      const x = rows(5);
      const scores = await scorer.score(x, 5);
      expect(scores).toHaveLength(5);
      const expected = predict(params, x, 5);
      scores.forEach((s, i) => expect(Math.abs(s - expected[i]!)).toBeLessThan(1e-6));
      // A longer, reused buffer: only the first rows are read.
      const buffer = new Float32Array(10 * WIDTH);
      buffer.set(x);
      expect(await scorer.score(buffer, 5)).toEqual(scores);
      expect(await scorer.score(buffer, 0)).toHaveLength(0);
      await expect(scorer.score(x, 6)).rejects.toThrow(/fewer than 6 rows × 34/);
    } finally {
      await scorer.release();
    }
    await expect(scorer.score(rows(1), 1)).rejects.toThrow('model "test-model" was released');
  });

  it('loads bytes that are a view into a larger buffer (as a PostgreSQL bytea arrives)', async () => {
    const pooled = Buffer.alloc(bytes.length + 100);
    pooled.set(bytes, 37);
    const view = pooled.subarray(37, 37 + bytes.length);
    const scorer = await OnnxScorer.load(view, manifestFor(bytes, FEATURE_NAMES));
    await scorer.release();
  });

  it('rejects bytes whose sha256 differs from the manifest', async () => {
    const manifest = manifestFor(bytes, FEATURE_NAMES, { sha256: 'ab'.repeat(32) });
    await expect(OnnxScorer.load(bytes, manifest)).rejects.toThrow(
      /sha256 of the bytes \([0-9a-f]{64}\) does not match the manifest's sha256 \(abab/,
    );
  });

  it('rejects a model whose input width differs from the manifest features', async () => {
    const narrow = toFloat32Params(randomParams(12, [WIDTH - 1, 4, 1]));
    const narrowBytes = exportOnnx(narrow, {
      ...DEFAULT_EXPORT_NAMES,
      featureNames: FEATURE_NAMES.slice(0, WIDTH - 1),
    });
    await expect(
      OnnxScorer.load(narrowBytes, manifestFor(narrowBytes, FEATURE_NAMES)),
    ).rejects.toThrow(
      `input "features" width ${WIDTH - 1} does not match the manifest's ${WIDTH} features`,
    );
  });

  it('rejects unknown feature names and a manifest whose width disagrees with its features', async () => {
    const unknown = [...FEATURE_NAMES.slice(0, WIDTH - 1), 'wifi'];
    await expect(OnnxScorer.load(bytes, manifestFor(bytes, unknown))).rejects.toThrow(
      /unknown feature name\(s\): wifi/,
    );
    const manifest = manifestFor(bytes, FEATURE_NAMES);
    const wrongWidth = { ...manifest, input: { ...manifest.input, width: 3 } };
    await expect(OnnxScorer.load(bytes, wrongWidth)).rejects.toThrow(
      /must equal features.length \(34\)\s+→ at input\.width/,
    );
  });

  it('rejects missing input or output names and reordered features', async () => {
    const manifest = manifestFor(bytes, FEATURE_NAMES);
    await expect(
      OnnxScorer.load(bytes, { ...manifest, input: { ...manifest.input, name: 'x' } }),
    ).rejects.toThrow('model "test-model" has no input "x" (inputs: features)');
    await expect(OnnxScorer.load(bytes, { ...manifest, output: { name: 'p' } })).rejects.toThrow(
      'model "test-model" has no output "p" (outputs: score)',
    );
    const swapped = [FEATURE_NAMES[1], FEATURE_NAMES[0], ...FEATURE_NAMES.slice(2)];
    await expect(OnnxScorer.load(bytes, manifestFor(bytes, swapped))).rejects.toThrow(
      /features stored in the model \(people_num, children_num, .*\) differ from the manifest's \(children_num, people_num,/,
    );
  });

  it('rejects bytes that are not an ONNX model', async () => {
    const garbage = Uint8Array.from([1, 2, 3, 4, 5]);
    await expect(OnnxScorer.load(garbage, manifestFor(garbage, FEATURE_NAMES))).rejects.toThrow(
      /onnxruntime could not load model "test-model"/,
    );
  });
});
