// Held-out requests re-ranked over their whole candidate set, as the worker would serve them: the
// candidate stage, the model's scores, the top K (ties to the lower location id, as the ranker
// breaks them). This is what tells, for logged feedback, whether a model would show a chosen
// stay again, and whether it would show the same stays again to travellers who rejected them all.
import { type Db, listLocations } from '@predictq/db';
import {
  cheapestFirst,
  type EnrichedRequest,
  type LocationFeatures,
  pickLocationFeatures,
  selectCandidates,
} from '@predictq/domain';
import { type EvaluableModel, scoreExamples, type TrainingExample } from '@predictq/model';

import type { ServingOptions } from './training-result.schema';

export interface CandidateCatalogue {
  ids: Int32Array;
  locations: LocationFeatures[];
  prices: Float64Array;
  cheapest: number[];
}

export async function loadCandidateCatalogue(db: Db): Promise<CandidateCatalogue> {
  const rows = await listLocations(db);
  const prices = Float64Array.from(rows, (r) => r.price);
  return {
    ids: Int32Array.from(rows, (r) => r.id),
    locations: rows.map((row) => pickLocationFeatures(row)),
    prices,
    cheapest: cheapestFirst(prices),
  };
}

/** Requests re-ranked per scoring pass, to bound the rows held at once. */
const REQUESTS_PER_PASS = 256;

/** The location ids `model` would show for each request. */
export async function servedTopK(
  model: EvaluableModel,
  requests: readonly EnrichedRequest[],
  catalogue: CandidateCatalogue,
  options: ServingOptions,
): Promise<Set<number>[]> {
  const shown: Set<number>[] = [];
  for (let start = 0; start < requests.length; start += REQUESTS_PER_PASS) {
    const part = requests.slice(start, start + REQUESTS_PER_PASS);
    shown.push(...(await rankPart(model, part, catalogue, options)));
  }
  return shown;
}

async function rankPart(
  model: EvaluableModel,
  requests: readonly EnrichedRequest[],
  catalogue: CandidateCatalogue,
  options: ServingOptions,
): Promise<Set<number>[]> {
  const candidates = requests.map((request) =>
    selectCandidates(catalogue.prices, catalogue.cheapest, request.budget, options.candidates),
  );
  const examples: TrainingExample[] = candidates.flatMap((picked, r) =>
    picked.map((c) => ({
      request: requests[r] as EnrichedRequest,
      location: catalogue.locations[c] as LocationFeatures,
      label: 0 as const,
    })),
  );
  const scores = await scoreExamples(model, examples);
  let row = 0;
  return candidates.map((picked) => {
    const first = row;
    row += picked.length;
    const id = (j: number) => catalogue.ids[picked[j] as number] as number;
    const order = picked.map((_, j) => j);
    order.sort(
      (a, b) => (scores[first + b] as number) - (scores[first + a] as number) || id(a) - id(b),
    );
    return new Set(order.slice(0, options.topK).map(id));
  });
}
