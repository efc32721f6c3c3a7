// What the worker scores with: the catalogue in memory and the models of the traffic split, kept
// in step with PostgreSQL, and the metrics that describe them.
import { type Db, servingModels } from '@predictq/db';
import { trafficRole } from '@predictq/domain';
import { CatalogueCache, databaseModelLoader, ModelPool } from '@predictq/inference';
import type { Logger } from '@predictq/logging';
import type { WorkerMetrics } from '@predictq/metrics';

export class ServingState {
  readonly catalogue: CatalogueCache;
  readonly pool: ModelPool;

  constructor(
    private readonly db: Db,
    private readonly metrics: WorkerMetrics,
    private readonly logger: Logger,
  ) {
    this.catalogue = new CatalogueCache(db);
    this.pool = new ModelPool(databaseModelLoader(db), logger);
  }

  async load(): Promise<void> {
    await this.catalogue.refresh();
    await this.syncModels();
  }

  /** Reloads the catalogue and the models when they changed. */
  async refresh(): Promise<void> {
    if (await this.catalogue.refresh()) {
      this.logger.info('catalogue reloaded', { locations: this.catalogue.size });
    }
    if (await this.syncModels())
      this.logger.info('models changed', { models: this.pool.assignment });
  }

  describe() {
    return { locations: this.catalogue.size, models: this.pool.assignment };
  }

  close(): void {
    this.pool.close();
  }

  private async syncModels(): Promise<boolean> {
    const serving = await servingModels(this.db);
    const changed = await this.pool.sync(serving);
    if (changed) {
      this.metrics.modelInfo.reset();
      this.metrics.modelTrafficShare.reset();
      for (const { id, version, share } of this.pool.assignment) {
        const model = serving.find((m) => m.id === id);
        const role = model ? trafficRole(model) : 'canary';
        this.metrics.modelInfo.set({ model_id: id, model_version: String(version), role }, 1);
        this.metrics.modelTrafficShare.set({ model_version: String(version) }, share);
      }
    }
    return changed;
  }
}
