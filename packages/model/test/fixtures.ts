// Hand-made and seeded fixtures shared by this package's tests and its bench: outside src/, so
// the build never ships them.
import type { EnrichedRequest, LocationFeatures } from '@predictq/domain';
import { enrichRequest, WISHES } from '@predictq/domain';
import type { Rng } from '@predictq/random';
import { createRng } from '@predictq/random';
import { WISH_FACILITIES } from '../src/features';
import type { ModelManifest } from '../src/manifest';
import { MODEL_MANIFEST_FORMAT, sha256Hex } from '../src/manifest';
import type { Metrics } from '../src/metrics';
import type { MlpParams } from '../src/mlp';
import { trainerOptionsSchema } from '../src/mlp-trainer';
import type { TrainingExample } from '../src/train';

/** Two people aged 38 and 8 (avg 23, std 15), budget 200, wanting pool, pets and a lake. */
export function makeRequest(overrides: Partial<EnrichedRequest> = {}): EnrichedRequest {
  return {
    ...enrichRequest({
      people_num: 2,
      people_age: [38, 8],
      children_num: 1,
      budget: 200,
      nights: 4,
      time_arrival: '2026-07-14',
      pool: true,
      spa: false,
      pet_friendly: true,
      lake: true,
      mountain: false,
      sport: false,
    }),
    ...overrides,
  };
}

/** 150 a night; pool, lake and mountains but no pets; family rating 7.5. */
export function makeLocation(overrides: Partial<LocationFeatures> = {}): LocationFeatures {
  return {
    children: true,
    breakfast: true,
    lunch: false,
    dinner: true,
    price: 150,
    has_pool: true,
    has_spa: false,
    animals: false,
    near_lake: true,
    near_mountains: true,
    has_sport: false,
    family_rating: 7.5,
    outdoor_rating: 6,
    food_rating: 8,
    leisure_rating: 5.5,
    service_rating: 9,
    user_score: 8.25,
    ...overrides,
  };
}

function randomRequest(rng: Rng): EnrichedRequest {
  const people = rng.int(1, 5);
  const ages = Array.from({ length: people }, () => rng.int(1, 80));
  return enrichRequest({
    people_num: people,
    people_age: ages,
    children_num: ages.filter((a) => a < 18).length,
    budget: Math.round(rng.uniform(50, 400)),
    nights: rng.int(1, 14),
    time_arrival: '2026-07-14',
    pool: rng.bernoulli(0.4),
    spa: rng.bernoulli(0.3),
    pet_friendly: rng.bernoulli(0.2),
    lake: rng.bernoulli(0.3),
    mountain: rng.bernoulli(0.3),
    sport: rng.bernoulli(0.3),
  });
}

export function randomLocation(rng: Rng): LocationFeatures {
  const rating = () => Math.round(rng.uniform(0, 10) * 100) / 100;
  return {
    children: rng.bernoulli(0.5),
    breakfast: rng.bernoulli(0.5),
    lunch: rng.bernoulli(0.5),
    dinner: rng.bernoulli(0.5),
    price: Math.round(rng.uniform(30, 500)),
    has_pool: rng.bernoulli(0.5),
    has_spa: rng.bernoulli(0.5),
    animals: rng.bernoulli(0.5),
    near_lake: rng.bernoulli(0.5),
    near_mountains: rng.bernoulli(0.5),
    has_sport: rng.bernoulli(0.5),
    family_rating: rating(),
    outdoor_rating: rating(),
    food_rating: rating(),
    leisure_rating: rating(),
    service_rating: rating(),
    user_score: rating(),
  };
}

/** The known rule of the synthetic problem: affordable, and at least half the wishes met. */
export function syntheticRule(request: EnrichedRequest, location: LocationFeatures): 0 | 1 {
  const wanted = WISHES.filter((wish) => request[wish]);
  const met = wanted.filter((wish) => location[WISH_FACILITIES[wish]]).length;
  const share = wanted.length === 0 ? 1 : met / wanted.length;
  return location.price <= request.budget && share >= 0.5 ? 1 : 0;
}

/** `requests` seeded requests with `perRequest` random stays each, labelled by syntheticRule. */
export function syntheticExamples(
  seed: number,
  requests: number,
  perRequest: number,
): TrainingExample[] {
  const rng = createRng(seed);
  const examples: TrainingExample[] = [];
  for (let g = 0; g < requests; g++) {
    const request = randomRequest(rng);
    for (let k = 0; k < perRequest; k++) {
      const location = randomLocation(rng);
      examples.push({ request, location, label: syntheticRule(request, location), group: g });
    }
  }
  return examples;
}

/** Random float64 params of the given shape (He-like scale), for export tests. */
export function randomParams(seed: number, sizes: readonly number[]): MlpParams {
  const rng = createRng(seed);
  const inputs = sizes[0] as number;
  const layers = sizes.slice(1).map((outputs, l) => {
    const n = sizes[l] as number;
    return {
      inputs: n,
      outputs,
      weights: Float64Array.from({ length: n * outputs }, () => rng.normal(0, Math.sqrt(2 / n))),
      bias: Float64Array.from({ length: outputs }, () => rng.normal(0, 0.1)),
    };
  });
  return {
    inputs,
    clip: 20,
    mean: Float64Array.from({ length: inputs }, () => rng.uniform(-50, 50)),
    std: Float64Array.from({ length: inputs }, () => rng.uniform(0.5, 40)),
    layers,
  };
}

const SOME_METRICS: Metrics = {
  rows: 10,
  positives: 5,
  auc: 0.5,
  accuracy: 0.5,
  precision: 0.5,
  recall: 0.5,
  f1: 0.5,
  log_loss: 0.7,
  threshold: 0.5,
};

/** A valid manifest for `bytes` exported with the default names, with `overrides` applied. */
export function manifestFor(
  bytes: Uint8Array,
  features: readonly string[],
  overrides: Partial<ModelManifest> = {},
): ModelManifest {
  const trainer = trainerOptionsSchema.parse({});
  return {
    format: MODEL_MANIFEST_FORMAT,
    name: 'test-model',
    features: [...features],
    input: { name: 'features', dtype: 'float32', width: features.length },
    output: { name: 'score' },
    seed: 1,
    sha256: sha256Hex(bytes),
    hidden: trainer.hidden,
    trainer,
    training: { rows: 8, positives: 4, holdoutRows: 2 },
    metrics: { holdout: SOME_METRICS },
    ...overrides,
  };
}
