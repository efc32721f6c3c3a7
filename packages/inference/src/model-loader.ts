// Loads a registered model from PostgreSQL (its bytes live next to its manifest), so any worker
// can score with it without a shared model volume. OnnxScorer refuses bytes that do not match
// the manifest's sha256 or features.
import { type Db, loadModelBytes, type ModelSummary } from '@predictq/db';
import { createFeatureEncoder, modelManifestSchema, OnnxScorer } from '@predictq/model';

import type { LoadedModel, ModelLoader } from './model-pool';

export function databaseModelLoader(db: Db): ModelLoader {
  return async (model: ModelSummary): Promise<LoadedModel> => {
    const bytes = await loadModelBytes(db, model.id);
    if (!bytes) throw new Error(`model ${model.id} has no stored bytes`);
    const manifest = modelManifestSchema.parse(model.manifest);
    const scorer = await OnnxScorer.load(bytes, manifest);
    return {
      id: model.id,
      version: model.version,
      scorer,
      encoder: createFeatureEncoder(scorer.featureNames),
    };
  };
}
