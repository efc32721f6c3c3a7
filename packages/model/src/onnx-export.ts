// Writes MlpParams as an ONNX model that takes RAW features:
//   features [N, F] → Sub(mean) → Div(std) → Clip(±clip) → (Gemm → Relu)* → Gemm → Sigmoid
//   → score [N, 1].
// The scaling stays in separate nodes (it cannot fold into the first Gemm because of the clip),
// so the graph computes what the TypeScript forward pass (predict) computes, step for step.
import { onnx } from 'onnx-proto';
import type { MlpParams } from './mlp';
import { checkParams } from './mlp';

/** ONNX IR version 8 (ONNX 1.10) and the default-domain opset 17: both load in onnxruntime 1.30. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
/** The symbolic batch dimension of the input and output. */
export const BATCH_DIM = 'N';
/** metadata_props key holding the feature names (a JSON array, input order). */
export const FEATURE_NAMES_METADATA_KEY = 'predictq.features';

export interface OnnxExportOptions {
  inputName: string;
  outputName: string;
  featureNames: readonly string[];
  producerName: string;
  /** Optional free text stored as the model's doc_string. */
  description?: string;
}

export const DEFAULT_EXPORT_NAMES = {
  inputName: 'features',
  outputName: 'score',
  producerName: 'predictq',
} as const;

/**
 * The serialised ModelProto. Deterministic: it holds no timestamps or ids, so the same params
 * and options give the same bytes (and the same sha256).
 */
export function exportOnnx(params: MlpParams, options: OnnxExportOptions): Uint8Array {
  checkParams(params);
  const { inputName, outputName, featureNames } = options;
  if (featureNames.length !== params.inputs) {
    throw new RangeError(
      `featureNames has ${featureNames.length} names but the model takes ${params.inputs} inputs`,
    );
  }
  if (inputName === outputName) throw new Error(`input and output are both named "${inputName}"`);
  const graph = buildGraph(params, inputName, outputName);
  const model = new onnx.ModelProto({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [new onnx.OperatorSetIdProto({ domain: '', version: ONNX_OPSET })],
    producerName: options.producerName,
    docString: options.description ?? 'predictq stay ranker: P(the group picks the stay)',
    graph,
    metadataProps: [
      new onnx.StringStringEntryProto({
        key: FEATURE_NAMES_METADATA_KEY,
        value: JSON.stringify(featureNames),
      }),
    ],
  });
  return onnx.ModelProto.encode(model).finish();
}

function buildGraph(params: MlpParams, inputName: string, outputName: string): onnx.GraphProto {
  const initializer = [
    floatTensor('scaling.mean', [params.inputs], params.mean),
    floatTensor('scaling.std', [params.inputs], params.std),
    floatTensor('scaling.min', [], Float64Array.of(-params.clip)),
    floatTensor('scaling.max', [], Float64Array.of(params.clip)),
  ];
  const node = [
    op('center', 'Sub', [inputName, 'scaling.mean'], 'scaling.centered'),
    op('scale', 'Div', ['scaling.centered', 'scaling.std'], 'scaling.scaled'),
    op('clip', 'Clip', ['scaling.scaled', 'scaling.min', 'scaling.max'], 'scaling.clipped'),
  ];
  let current = 'scaling.clipped';
  params.layers.forEach((layer, l) => {
    const weights = `dense${l}.weight`;
    const bias = `dense${l}.bias`;
    initializer.push(floatTensor(weights, [layer.outputs, layer.inputs], layer.weights));
    initializer.push(floatTensor(bias, [layer.outputs], layer.bias));
    // transB = 1: the weights are stored outputs × inputs, as in MlpParams.
    const gemm = op(`dense${l}`, 'Gemm', [current, weights, bias], `dense${l}.linear`);
    gemm.attribute = [intAttribute('transB', 1)];
    node.push(gemm);
    current = `dense${l}.linear`;
    if (l < params.layers.length - 1) {
      node.push(op(`relu${l}`, 'Relu', [current], `dense${l}.relu`));
      current = `dense${l}.relu`;
    }
  });
  const internal = new Set([...initializer.map((t) => t.name), ...node.map((n) => n.output[0])]);
  node.push(op('probability', 'Sigmoid', [current], outputName));
  for (const name of [inputName, outputName]) {
    if (name.length === 0) throw new Error('input and output names must not be empty');
    if (internal.has(name)) throw new Error(`"${name}" collides with a tensor inside the graph`);
  }
  return new onnx.GraphProto({
    name: 'predictq_ranker',
    node,
    initializer,
    input: [floatValueInfo(inputName, params.inputs)],
    output: [floatValueInfo(outputName, 1)],
  });
}

function op(name: string, opType: string, input: string[], output: string): onnx.NodeProto {
  return new onnx.NodeProto({ name, opType, input, output: [output] });
}

/** The feature names stored in a model's metadata_props, or null when it has none. */
export function readOnnxFeatureNames(bytes: Uint8Array): string[] | null {
  const model = onnx.ModelProto.decode(bytes);
  const entry = model.metadataProps.find((p) => p.key === FEATURE_NAMES_METADATA_KEY);
  if (!entry) return null;
  const names: unknown = JSON.parse(entry.value ?? '');
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new Error(`metadata ${FEATURE_NAMES_METADATA_KEY} is not a JSON array of strings`);
  }
  return names;
}

/** A float32 initializer; raw_data is little-endian whatever the machine, as ONNX requires. */
function floatTensor(name: string, dims: number[], values: Float64Array): onnx.TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new onnx.TensorProto({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: raw,
  });
}

function intAttribute(name: string, value: number): onnx.AttributeProto {
  return new onnx.AttributeProto({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

/** A float tensor of shape [N, width]. */
function floatValueInfo(name: string, width: number): onnx.ValueInfoProto {
  return new onnx.ValueInfoProto({
    name,
    type: new onnx.TypeProto({
      tensorType: new onnx.TypeProto.Tensor({
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: new onnx.TensorShapeProto({
          dim: [
            new onnx.TensorShapeProto.Dimension({ dimParam: BATCH_DIM }),
            new onnx.TensorShapeProto.Dimension({ dimValue: width }),
          ],
        }),
      }),
    }),
  });
}
