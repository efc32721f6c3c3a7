// Ranking a batch of requests: the candidate stage, then one ONNX run per model over every
// candidate row of the batch, then the top K of each request.
import {
  type CandidateOptions,
  type EnrichedRequest,
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

export class Ranker {
  constructor(
    private readonly catalogue: { readonly current: Catalogue },
    private readonly pool: ModelPool,
    private readonly options: RankerOptions,
  ) {}

  async rank(items: readonly RankRequest[]): Promise<Settled<Ranking>[]> {
    const results = new Array<Settled<Ranking>>(items.length);
    const catalogue = this.catalogue.current;
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
      [...byModel].map(([modelId, indices]) =>
        this.pool
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
            const failure = error instanceof Error ? error : new Error(String(error));
            for (const i of indices) results[i] = { ok: false, error: failure };
          }),
      ),
    );
    return results;
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
