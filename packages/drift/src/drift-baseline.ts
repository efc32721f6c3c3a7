// The baseline the drift statistic compares with: the histograms of the requests a model was
// trained on. New models carry them in their manifest; for older ones they are computed once
// from the training run's recorded rows (its lineage) and cached in the manifest, so every
// process (and every later start) reads them from there.
import {
  cacheRequestHistograms,
  type Db,
  type ModelSummary,
  trainingRequestFeatures,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import {
  type FeatureRow,
  histogramsOfRows,
  type RequestHistograms,
  requestHistogramsSchema,
} from '@predictq/model';

/** Most distinct training requests read to rebuild a baseline (a run uses 20,000 rows: ~2,000). */
export const LINEAGE_MAX_REQUESTS = 50_000;

/** The histograms stored in a manifest, or undefined when it has none (or they do not parse). */
export function storedHistograms(manifest: unknown): RequestHistograms | undefined {
  const training = (manifest as { training?: { requestHistograms?: unknown } } | null)?.training;
  const parsed = requestHistogramsSchema.safeParse(training?.requestHistograms);
  return parsed.success ? parsed.data : undefined;
}

export class DriftBaselines {
  /** Per model id; a baseline never changes once found. Failures are not kept. */
  private readonly found = new Map<string, RequestHistograms>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {}

  /**
   * The model's baseline: from its manifest, else rebuilt from its lineage (and cached), else
   * null (a model with neither, such as an upload or a baseline trained before histograms).
   */
  async forModel(
    model: Pick<ModelSummary, 'id' | 'version' | 'manifest' | 'training_run_id'>,
  ): Promise<RequestHistograms | null> {
    const known = this.found.get(model.id) ?? storedHistograms(model.manifest);
    if (known) {
      this.found.set(model.id, known);
      return known;
    }
    if (!model.training_run_id) return null;
    const rows = await trainingRequestFeatures(
      this.db,
      model.training_run_id,
      LINEAGE_MAX_REQUESTS,
    );
    if (rows.length === 0) return null;
    const histograms = histogramsOfRows(rows as unknown as FeatureRow[], 'lineage');
    try {
      const written = await cacheRequestHistograms(this.db, model.id, histograms);
      if (written) {
        this.logger.info('drift baseline rebuilt from the training lineage and cached', {
          modelId: model.id,
          version: model.version,
          requests: rows.length,
        });
      }
    } catch (error) {
      // Still usable in this process; the next one tries again.
      this.logger.warn('drift baseline not cached', {
        modelId: model.id,
        error: errorMessage(error),
      });
    }
    this.found.set(model.id, histograms);
    return histograms;
  }
}
