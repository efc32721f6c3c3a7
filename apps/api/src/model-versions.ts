// Model id -> version, for prediction bodies. A model's version never changes, so entries are
// cached for the life of the process.
import { type Db, getModel } from '@predictq/db';

export class ModelVersions {
  private readonly versions = new Map<string, number>();

  constructor(private readonly db: Db) {}

  async of(modelId: string | null): Promise<number | undefined> {
    if (modelId === null) return undefined;
    const cached = this.versions.get(modelId);
    if (cached !== undefined) return cached;
    const model = await getModel(this.db, modelId);
    if (model) this.versions.set(modelId, model.version);
    return model?.version;
  }
}
