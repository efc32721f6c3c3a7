// Ranking a batch of requests: the candidate stage, then one ONNX run per model over every
// candidate row of the batch, then the top K of each request.
import {
  type CandidateOptions,
  type EnrichedRequest,
  inShadowSample,
  type LocationFeatures,
  selectCandidates,
} from '@predictq/domain';

import type { Catalogue } from './catalogue-cache';
import type { Settled } from './micro-batcher';
import type { ModelPool } from './model-pool';

export interface RankRequest {
  predictionId: string;
  request: EnrichedRequest;
}

export interface Ranking {
  modelId: string;
  modelVersion: number;
  /** Best first. */
  stays: { locationId: number; score: number }[];
}

export interface RankerOptions {
  topK: number;
  candidates: CandidateOptions;
}

export class NoModelError extends Error {
  constructor() {
    super('no model is loaded to score with (no active model, or it failed to load)');
    this.name = 'NoModelError';
  }
}

/** Scoring with a model failed: which model, so that its failures count against it. */
export class ModelScoringError extends Error {
  constructor(
    readonly modelId: string,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ModelScoringError';
  }
}

export class Ranker {
  constructor(
    private readonly catalogue: { readonly current: Catalogue },
    private readonly pool: ModelPool,
    private readonly options: RankerOptions,
  ) {}

  async rank(items: readonly RankRequest[]): Promise<Settled<Ranking>[]> {
    const results = new Array<Settled<Ranking>>(items.length);
    const byModel = new Map<string, number[]>();
    items.forEach((item, i) => {
      const modelId = this.pool.assign(item.predictionId);
      if (modelId === undefined) {
        results[i] = { ok: false, error: new NoModelError() };
        return;
      }
      const group = byModel.get(modelId) ?? [];
      group.push(i);
      byModel.set(modelId, group);
    });
    await Promise.all(
      [...byModel].map(([modelId, indices]) => this.rankWith(modelId, items, indices, results)),
    );
    return results;
  }

  /** The shadow model scoring a sample, if there is one. */
  get shadowModelId(): string | undefined {
    return this.pool.shadow?.id;
  }

  /**
   * The shadow model's rankings of the requests in its sample (none without a shadow model).
   * Never what a client receives: the caller stores them apart, after the served rankings.
   */
  async rankShadow(
    items: readonly RankRequest[],
  ): Promise<{ predictionId: string; ranking: Settled<Ranking> }[]> {
    const shadow = this.pool.shadow;
    if (!shadow) return [];
    const indices = items.flatMap((item, i) =>
      inShadowSample(item.predictionId, shadow.share) ? [i] : [],
    );
    if (indices.length === 0) return [];
    const results = new Array<Settled<Ranking>>(items.length);
    await this.rankWith(shadow.id, items, indices, results);
    return indices.map((i) => ({
      predictionId: (items[i] as RankRequest).predictionId,
      ranking: results[i] as Settled<Ranking>,
    }));
  }

  /** Ranks items[indices] with one model (one ONNX run), into results. */
  private async rankWith(
    modelId: string,
    items: readonly RankRequest[],
    indices: readonly number[],
    results: Settled<Ranking>[],
  ): Promise<void> {
    const catalogue = this.catalogue.current;
    await this.pool
      .use(modelId, async ({ scorer, encoder, version }) => {
        const candidates = indices.map((i) =>
          selectCandidates(
            catalogue.prices,
            catalogue.cheapest,
            (items[i] as RankRequest).request.budget,
            this.options.candidates,
          ),
        );
        const rows = candidates.reduce((n, c) => n + c.length, 0);
        const matrix = new Float32Array(rows * encoder.width);
        let offset = 0;
        candidates.forEach((picked, k) => {
          const request = (items[indices[k] as number] as RankRequest).request;
          const stays = picked.map((c) => catalogue.locations[c] as LocationFeatures);
          encoder.encode(request, stays, matrix, offset);
          offset += picked.length;
        });
        const scores = await scorer.score(matrix, rows);
        if (scores.length !== rows || !scores.every(Number.isFinite)) {
          throw new Error(
            `model ${modelId} returned ${scores.length} scores for ${rows} rows, or a non-finite one`,
          );
        }
        let row = 0;
        candidates.forEach((picked, k) => {
          results[indices[k] as number] = {
            ok: true,
            value: {
              modelId,
              modelVersion: version,
              stays: this.topK(picked, scores, row, catalogue.ids),
            },
          };
          row += picked.length;
        });
      })
      .catch((error: unknown) => {
        const failure = new ModelScoringError(modelId, error);
        for (const i of indices) results[i] = { ok: false, error: failure };
      });
  }

  /** The best K of one request's candidates; ties go to the lower location id. */
  private topK(
    picked: readonly number[],
    scores: Float32Array,
    firstRow: number,
    ids: Int32Array,
  ): { locationId: number; score: number }[] {
    const order = picked.map((_, j) => j);
    order.sort(
      (a, b) =>
        (scores[firstRow + b] as number) - (scores[firstRow + a] as number) ||
        (ids[picked[a] as number] as number) - (ids[picked[b] as number] as number),
    );
    return order.slice(0, this.options.topK).map((j) => ({
      locationId: ids[picked[j] as number] as number,
      score: scores[firstRow + j] as number,
    }));
  }
}
