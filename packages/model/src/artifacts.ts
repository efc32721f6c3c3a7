// Model artifacts on disk: <MODEL_DIR>/<dir>/model.onnx next to manifest.json.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { type ModelManifest, modelManifestSchema, sha256Hex } from './manifest';

export const MODEL_FILE = 'model.onnx';
export const MANIFEST_FILE = 'manifest.json';

/** Writes the model and its manifest; returns the model file's path relative to modelDir. */
export async function writeModelArtifacts(
  modelDir: string,
  dir: string,
  onnx: Uint8Array,
  manifest: ModelManifest,
): Promise<string> {
  const target = path.join(modelDir, dir);
  await mkdir(target, { recursive: true });
  await writeFile(path.join(target, MODEL_FILE), onnx);
  await writeFile(path.join(target, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return path.join(dir, MODEL_FILE);
}

/**
 * Reads <modelDir>/<dir>; undefined when the files are not there. Throws when they are there but
 * the manifest is invalid or the bytes do not match its sha256.
 */
export async function readModelArtifacts(
  modelDir: string,
  dir: string,
): Promise<{ onnx: Uint8Array; manifest: ModelManifest; artifactPath: string } | undefined> {
  const target = path.join(modelDir, dir);
  let onnx: Buffer;
  let manifestText: string;
  try {
    [onnx, manifestText] = await Promise.all([
      readFile(path.join(target, MODEL_FILE)),
      readFile(path.join(target, MANIFEST_FILE), 'utf8'),
    ]);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  const manifest = modelManifestSchema.parse(JSON.parse(manifestText));
  const sha256 = sha256Hex(onnx);
  if (sha256 !== manifest.sha256) {
    throw new Error(
      `${target}: ${MODEL_FILE} has sha256 ${sha256}, the manifest says ${manifest.sha256}`,
    );
  }
  return { onnx, manifest, artifactPath: path.join(dir, MODEL_FILE) };
}
