import { createRng } from '@predictq/random';
import { onnx } from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FEATURE_NAMES } from './features';
import type { MlpParams } from './mlp';
import { predict, toFloat32Params } from './mlp';
import { trainMlp } from './mlp-trainer';
import { DEFAULT_EXPORT_NAMES, exportOnnx, readOnnxFeatureNames } from './onnx-export';
import { randomParams } from '../test/fixtures';

const WIDTH = FEATURE_NAMES.length;
const exportOptions = { ...DEFAULT_EXPORT_NAMES, featureNames: FEATURE_NAMES };

/** Rows around each feature's mean, then rows with extreme values (0, ±1e3, 1e6, 1e-30). */
function testRows(params: MlpParams, seed: number, typical: number, extreme: number): Float32Array {
  const rng = createRng(seed);
  const rows = typical + extreme;
  const x = new Float32Array(rows * params.inputs);
  const extremes = [0, 1e6, -1e3, 1e3, 1e-30, 12345.678];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < params.inputs; j++) {
      x[r * params.inputs + j] =
        r < typical
          ? params.mean[j]! + params.std[j]! * rng.normal(0, 1)
          : rng.bernoulli(0.5)
            ? rng.pick(extremes)
            : params.mean[j]! + params.std[j]! * rng.normal(0, 1);
    }
  }
  return x;
}

async function runOnnx(bytes: Uint8Array, x: Float32Array, rows: number): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  try {
    const out = await session.run({ features: new Tensor('float32', x, [rows, WIDTH]) });
    expect(out.score!.dims).toEqual([rows, 1]);
    return out.score!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('exportOnnx', () => {
  it('scores like the TypeScript forward pass in onnxruntime (random weights, extreme rows)', async () => {
    const params = toFloat32Params(randomParams(3, [WIDTH, 32, 16, 1]));
    const rows = 1500;
    const x = testRows(params, 4, 1000, 500);
    const expected = predict(params, x, rows);
    const actual = await runOnnx(exportOnnx(params, exportOptions), x, rows);
    expect(actual).toHaveLength(rows);
    expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
    // Not a vacuous comparison: a good share of the scores is far from saturation.
    expect(expected.filter((p) => p > 0.01 && p < 0.99).length).toBeGreaterThan(rows / 4);
  });

  it('scores like the TypeScript forward pass for trained weights', async () => {
    const train = testRows(randomParams(5, [WIDTH, 1]), 6, 800, 0);
    const y = Uint8Array.from({ length: 800 }, (_, r) =>
      train[r * WIDTH]! > train[r * WIDTH + 1]! ? 1 : 0,
    );
    const params = toFloat32Params(trainMlp(train, y, 800, { seed: 9, epochs: 3 }));
    const x = testRows(params, 7, 300, 200);
    const actual = await runOnnx(exportOnnx(params, exportOptions), x, 500);
    expect(maxAbsDiff(actual, predict(params, x, 500))).toBeLessThan(1e-5);
  });

  it('emits Sub, Div, Clip, (Gemm, Relu)×2, Gemm, Sigmoid at IR 8 / opset 17 with an [N, F] input', () => {
    const bytes = exportOnnx(randomParams(1, [WIDTH, 32, 16, 1]), exportOptions);
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(model.producerName).toBe('predictq');
    const graph = model.graph as onnx.GraphProto;
    expect(graph.node.map((n) => n.opType)).toEqual([
      'Sub',
      'Div',
      'Clip',
      'Gemm',
      'Relu',
      'Gemm',
      'Relu',
      'Gemm',
      'Sigmoid',
    ]);
    const dims = (v: onnx.IValueInfoProto) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(graph.input.map((i) => [i.name, dims(i)])).toEqual([['features', ['N', WIDTH]]]);
    expect(graph.output.map((o) => [o.name, dims(o)])).toEqual([['score', ['N', 1]]]);
    expect(graph.initializer.every((t) => t.dataType === onnx.TensorProto.DataType.FLOAT)).toBe(
      true,
    );
    expect(readOnnxFeatureNames(bytes)).toEqual([...FEATURE_NAMES]);
  });

  it('gives the same bytes for the same params, other bytes for other params', () => {
    const a = exportOnnx(randomParams(1, [WIDTH, 8, 1]), exportOptions);
    const b = exportOnnx(randomParams(1, [WIDTH, 8, 1]), exportOptions);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const c = exportOnnx(randomParams(2, [WIDTH, 8, 1]), exportOptions);
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(false);
  });

  it('refuses feature names that do not match the inputs, and clashing tensor names', () => {
    const params = randomParams(1, [WIDTH, 8, 1]);
    expect(() =>
      exportOnnx(params, { ...exportOptions, featureNames: FEATURE_NAMES.slice(1) }),
    ).toThrow(`featureNames has ${WIDTH - 1} names but the model takes ${WIDTH} inputs`);
    expect(() => exportOnnx(params, { ...exportOptions, outputName: 'features' })).toThrow(
      'input and output are both named "features"',
    );
    expect(() => exportOnnx(params, { ...exportOptions, outputName: 'dense1.linear' })).toThrow(
      '"dense1.linear" collides with a tensor inside the graph',
    );
  });
});
