// The catalogue of stays: town by town, each stay's features drawn from its town's profile.
import type { LocationFeatures } from '@predictq/domain';
import type { Rng } from '@predictq/random';
import type { LocationProfile } from './profiles';
import { roundToCents } from './round';

/** A generated stay: its features and the town (profile) it was drawn from. */
export type CatalogueStay = LocationFeatures & { town: string };

/** One stay of `profile`'s town: each facility with its threshold, numbers uniform in range. */
export function generateStay(profile: LocationProfile, rng: Rng): CatalogueStay {
  const uniform = (min: number, max: number): number => roundToCents(rng.uniform(min, max));
  // Property order is the draw order (the same as MLprod's generator and LOCATION_FEATURES).
  return {
    town: profile.town,
    children: rng.bernoulli(profile.threshold_child),
    breakfast: rng.bernoulli(profile.threshold_breakfast),
    lunch: rng.bernoulli(profile.threshold_lunch),
    dinner: rng.bernoulli(profile.threshold_dinner),
    price: uniform(profile.price_min, profile.price_max),
    has_pool: rng.bernoulli(profile.threshold_pool),
    has_spa: rng.bernoulli(profile.threshold_spa),
    animals: rng.bernoulli(profile.threshold_animals),
    near_lake: rng.bernoulli(profile.threshold_lake),
    near_mountains: rng.bernoulli(profile.threshold_mountain),
    has_sport: rng.bernoulli(profile.threshold_sport),
    family_rating: uniform(profile.family_min, profile.family_max),
    outdoor_rating: uniform(profile.outdoor_min, profile.outdoor_max),
    food_rating: uniform(profile.food_min, profile.food_max),
    leisure_rating: uniform(profile.leisure_min, profile.leisure_max),
    service_rating: uniform(profile.service_min, profile.service_max),
    user_score: uniform(profile.score_min, profile.score_max),
  };
}

/** `count` stays per profile, profile by profile, in table order. */
export function generateCatalogue(profiles: readonly LocationProfile[], rng: Rng): CatalogueStay[] {
  const stays: CatalogueStay[] = [];
  for (const profile of profiles) {
    for (let i = 0; i < profile.count; i++) stays.push(generateStay(profile, rng));
  }
  return stays;
}
