// A labelled data set for the ranker: a catalogue, traveller requests, and for each request the
// stays it was shown with the simulated group's choice (label 1) or not (label 0).
import {
  cheapestFirst,
  DEFAULT_CANDIDATE_OPTIONS,
  selectCandidates,
  type CandidateOptions,
  type Location,
} from '@predictq/domain';
import { createRng } from '@predictq/random';
import { generateCatalogue } from './catalogue';
import { decide, type Decision } from './labeller';
import type { LocationProfile, TravellerProfile } from './profiles';
import { generateRequest, parseIsoDate, pickProfile, type GeneratedRequest } from './travellers';

export const DATASET_DEFAULTS = {
  seed: 42,
  requests: 4000,
  shownPerRequest: 10,
  startDate: '2026-01-01',
} as const;

export interface DatasetOptions {
  seed?: number;
  /** How many traveller requests to generate. */
  requests?: number;
  /** How many candidates each request is shown (all of them when there are fewer). */
  shownPerRequest?: number;
  travellerProfiles: readonly TravellerProfile[];
  locationProfiles: readonly LocationProfile[];
  /** First possible arrival day, YYYY-MM-DD. */
  startDate?: string;
  /** The candidate stage's options; the serving defaults when left out. */
  candidates?: CandidateOptions;
}

export type DatasetRequest = GeneratedRequest & { request_id: number };

/** One shown stay: `rank` is its 1-based position in the list shown to the group. */
export interface LabelledPair {
  request_id: number;
  location_id: number;
  label: 0 | 1;
  rank: number;
}

export type DecisionReason = Decision['reason'];

export interface Dataset {
  /** The catalogue, ids 1..n in generation order. */
  locations: Location[];
  /** The requests, ids 1..m in generation order. */
  requests: DatasetRequest[];
  /** One row per shown stay, request by request, in the order shown. */
  labelled: LabelledPair[];
  /** How many requests ended with each decision. */
  outcomes: Record<DecisionReason, number>;
}

function integerAtLeast(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

export function generateDataset(options: DatasetOptions): Dataset {
  const seed = options.seed ?? DATASET_DEFAULTS.seed;
  // createRng keeps 32 bits: a wider seed would silently repeat another seed's data.
  if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 31) {
    throw new RangeError(`seed must be a 32-bit integer, got ${seed}`);
  }
  const requestCount = integerAtLeast('requests', options.requests ?? DATASET_DEFAULTS.requests, 0);
  const shownPerRequest = integerAtLeast(
    'shownPerRequest',
    options.shownPerRequest ?? DATASET_DEFAULTS.shownPerRequest,
    1,
  );
  const startDate = options.startDate ?? DATASET_DEFAULTS.startDate;
  parseIsoDate(startDate);

  // One seed, three independent streams: the catalogue does not depend on the requests, the
  // requests not on what they are shown, so changing --shown keeps the same travellers, and a
  // smaller run is a prefix of a larger one.
  const root = createRng(seed);
  const catalogueRng = root.fork();
  const travellerRng = root.fork();
  const choiceRng = root.fork();

  const locations: Location[] = generateCatalogue(options.locationProfiles, catalogueRng).map(
    (stay, i) => ({ id: i + 1, ...stay }),
  );
  if (locations.length === 0) throw new RangeError('the location profiles produce no stays');
  const prices = locations.map((l) => l.price);
  const byPrice = cheapestFirst(prices);

  const requests: DatasetRequest[] = [];
  const labelled: LabelledPair[] = [];
  const outcomes: Record<DecisionReason, number> = {
    exploited: 0,
    explored: 0,
    ignored: 0,
    nothing_acceptable: 0,
  };
  for (let r = 1; r <= requestCount; r++) {
    const profile = pickProfile(options.travellerProfiles, travellerRng);
    const request = { request_id: r, ...generateRequest(profile, travellerRng, { startDate }) };
    requests.push(request);

    const candidates = selectCandidates(
      prices,
      byPrice,
      request.budget,
      options.candidates ?? DEFAULT_CANDIDATE_OPTIONS,
    );
    const shown = choiceRng.shuffle(candidates).slice(0, shownPerRequest);
    const stays = shown.map((i) => locations[i] as Location);
    const decision = decide(profile, request, stays, choiceRng);
    outcomes[decision.reason] += 1;
    stays.forEach((stay, k) => {
      labelled.push({
        request_id: r,
        location_id: stay.id,
        label: decision.index === k ? 1 : 0,
        rank: k + 1,
      });
    });
  }
  return { locations, requests, labelled, outcomes };
}

export interface DatasetSummary {
  locations: number;
  requests: number;
  labelled: number;
  /** Requests whose group chose one of the shown stays. */
  requestsWithChoice: number;
  /** requestsWithChoice / requests. */
  choiceShare: number;
  /** Share of labelled rows with label 1. */
  positiveRate: number;
}

export function summarizeDataset(dataset: Omit<Dataset, 'outcomes'>): DatasetSummary {
  const chosen = new Set(dataset.labelled.filter((p) => p.label === 1).map((p) => p.request_id));
  const positives = dataset.labelled.filter((p) => p.label === 1).length;
  return {
    locations: dataset.locations.length,
    requests: dataset.requests.length,
    labelled: dataset.labelled.length,
    requestsWithChoice: chosen.size,
    choiceShare: dataset.requests.length > 0 ? chosen.size / dataset.requests.length : 0,
    positiveRate: dataset.labelled.length > 0 ? positives / dataset.labelled.length : 0,
  };
}
