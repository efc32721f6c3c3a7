// A location (a stay in the catalogue) and its features, in the order the MLprod-compatible
// API returns them.
export const LOCATION_BOOLEAN_FEATURES = [
  'children',
  'breakfast',
  'lunch',
  'dinner',
  'has_pool',
  'has_spa',
  'animals',
  'near_lake',
  'near_mountains',
  'has_sport',
] as const;

export const LOCATION_NUMERIC_FEATURES = [
  'price',
  'family_rating',
  'outdoor_rating',
  'food_rating',
  'leisure_rating',
  'service_rating',
  'user_score',
] as const;

/** Every location feature, in the compatible API's order. */
export const LOCATION_FEATURES = [
  'children',
  'breakfast',
  'lunch',
  'dinner',
  'price',
  'has_pool',
  'has_spa',
  'animals',
  'near_lake',
  'near_mountains',
  'has_sport',
  'family_rating',
  'outdoor_rating',
  'food_rating',
  'leisure_rating',
  'service_rating',
  'user_score',
] as const;

export type LocationBooleanFeature = (typeof LOCATION_BOOLEAN_FEATURES)[number];
export type LocationNumericFeature = (typeof LOCATION_NUMERIC_FEATURES)[number];
export type LocationFeature = (typeof LOCATION_FEATURES)[number];

export type LocationFeatures = { [K in LocationBooleanFeature]: boolean } & {
  [K in LocationNumericFeature]: number;
};

/** A stay in the catalogue: its id, the town (profile) it was generated from, its features. */
export interface Location extends LocationFeatures {
  id: number;
  town: string;
}

/** The features of a stay held in a wider record (a database row, a TSV row). */
export function pickLocationFeatures(source: object): LocationFeatures {
  const from = source as Readonly<Record<string, unknown>>;
  const features: Record<string, unknown> = {};
  for (const feature of LOCATION_FEATURES) features[feature] = from[feature];
  return features as LocationFeatures;
}
