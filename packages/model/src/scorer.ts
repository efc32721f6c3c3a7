// Scores feature rows with an ONNX model in onnxruntime-node, after checking that the model is
// the one its manifest describes: a model that does not fit is refused at load, not discovered
// as garbage rankings later.
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import type { FeatureName } from './features';
import { checkFeatureNames } from './features';
import type { ModelManifest } from './manifest';
import { modelManifestSchema, sha256Hex } from './manifest';
import { readOnnxFeatureNames } from './onnx-export';

export interface ScorerOptions {
  /**
   * Threads inside one operator and across operators. 1 and 1 by default: the machine has 2
   * cores shared with PostgreSQL and Redis, and throughput comes from batching jobs instead.
   */
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
}

export class OnnxScorer {
  private released = false;

  private constructor(
    private readonly session: InferenceSession,
    readonly manifest: ModelManifest,
    private readonly names: readonly FeatureName[],
  ) {}

  /**
   * Loads `bytes` for `manifest`. Throws an Error naming the mismatch when the manifest is
   * invalid or lists unknown features, when the sha256 differs, when the input or output name is
   * missing, when the input width (declared shape, then a dry run on one zero row) differs from
   * manifest.features.length, or when the feature names stored in the model differ.
   */
  static async load(
    bytes: Uint8Array,
    manifest: ModelManifest,
    options: ScorerOptions = {},
  ): Promise<OnnxScorer> {
    const checked = parseManifest(manifest);
    const names = checkFeatureNames(checked.features);
    const sha256 = sha256Hex(bytes);
    if (sha256 !== checked.sha256) {
      throw new Error(
        `model "${checked.name}": sha256 of the bytes (${sha256}) does not match the manifest's sha256 (${checked.sha256})`,
      );
    }
    const session = await createSession(bytes, checked, options);
    const scorer = new OnnxScorer(session, checked, names);
    try {
      checkSignature(session, checked);
      checkStoredFeatures(bytes, checked);
      await scorer.dryRun();
    } catch (error) {
      await session.release();
      throw error;
    }
    return scorer;
  }

  /** The features the model expects, in input column order (for createFeatureEncoder). */
  get featureNames(): readonly FeatureName[] {
    return this.names;
  }

  get width(): number {
    return this.names.length;
  }

  /**
   * One probability per row of `features` (row-major, `width` floats per row). `features` may be
   * longer than rows × width (a reused buffer); only the first rows are read.
   */
  async score(features: Float32Array, rows: number): Promise<Float32Array> {
    if (this.released) throw new Error(`model "${this.manifest.name}" was released`);
    const size = rows * this.width;
    if (!Number.isInteger(rows) || rows < 0 || features.length < size) {
      throw new RangeError(
        `features has ${features.length} floats, fewer than ${rows} rows × ${this.width}`,
      );
    }
    if (rows === 0) return new Float32Array(0);
    const data = features.length === size ? features : features.subarray(0, size);
    const input = new Tensor('float32', data, [rows, this.width]);
    const results = await this.session.run({ [this.manifest.input.name]: input });
    const output = results[this.manifest.output.name];
    // Checked by tensor type, not instanceof: the array may come from another realm (jest's vm).
    if (output?.type !== 'float32' || output.data.length !== rows) {
      throw new Error(
        `model "${this.manifest.name}" returned ${output?.data.length ?? 'no'} ${output?.type ?? ''} values for ${rows} rows`,
      );
    }
    return output.data as Float32Array;
  }

  /** Frees the native session; later calls to score throw. Safe to call twice. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }

  private async dryRun(): Promise<void> {
    let scores: Float32Array;
    try {
      scores = await this.score(new Float32Array(this.width), 1);
    } catch (error) {
      throw new Error(
        `model "${this.manifest.name}": a dry run on one zero row of width ${this.width} (manifest features) failed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    if (!Number.isFinite(scores[0])) {
      throw new Error(`model "${this.manifest.name}": a dry run on one zero row gave ${scores[0]}`);
    }
  }
}

function parseManifest(manifest: ModelManifest): ModelManifest {
  const parsed = modelManifestSchema.safeParse(manifest);
  if (!parsed.success) throw new Error(`invalid model manifest:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function checkStoredFeatures(bytes: Uint8Array, manifest: ModelManifest): void {
  let stored: string[] | null;
  try {
    stored = readOnnxFeatureNames(bytes);
  } catch (error) {
    throw new Error(
      `model "${manifest.name}" is not a readable ONNX model: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  // Models from elsewhere may carry no names; ours always do, and they must agree.
  if (stored !== null && stored.join() !== manifest.features.join()) {
    throw new Error(
      `model "${manifest.name}": features stored in the model (${stored.join(', ')}) differ from the manifest's (${manifest.features.join(', ')})`,
    );
  }
}

async function createSession(
  bytes: Uint8Array,
  manifest: ModelManifest,
  options: ScorerOptions,
): Promise<InferenceSession> {
  try {
    return await InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: options.interOpNumThreads ?? 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new Error(`onnxruntime could not load model "${manifest.name}": ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** The graph's declared input/output against the manifest. */
function checkSignature(session: InferenceSession, manifest: ModelManifest): void {
  const { name } = manifest;
  const input = session.inputMetadata.find((m) => m.name === manifest.input.name);
  if (!input) {
    throw new Error(
      `model "${name}" has no input "${manifest.input.name}" (inputs: ${session.inputNames.join(', ')})`,
    );
  }
  if (!session.outputNames.includes(manifest.output.name)) {
    throw new Error(
      `model "${name}" has no output "${manifest.output.name}" (outputs: ${session.outputNames.join(', ')})`,
    );
  }
  if (!input.isTensor || input.type !== 'float32' || input.shape.length !== 2) {
    const shape = input.isTensor ? `${input.type} [${input.shape.join(', ')}]` : 'not a tensor';
    throw new Error(`model "${name}": input "${input.name}" is ${shape}, expected float32 [N, F]`);
  }
  const width = input.shape[1];
  if (width !== manifest.features.length) {
    throw new Error(
      `model "${name}": input "${input.name}" width ${String(width)} does not match the manifest's ${manifest.features.length} features`,
    );
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
