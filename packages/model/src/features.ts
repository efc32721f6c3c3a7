// The ranker's features: one row per (request, location) pair. The names are the contract
// between training, the ONNX model (its manifest lists them in input order) and the worker.
import type {
  EnrichedRequest,
  LocationBooleanFeature,
  LocationFeatures,
  Wish,
} from '@predictq/domain';
import { LOCATION_FEATURES, WISHES } from '@predictq/domain';

export const REQUEST_FEATURE_NAMES = [
  'people_num',
  'children_num',
  'budget',
  'nights',
  'age_avg',
  'age_std',
  'age_min',
  'age_max',
  'pool',
  'spa',
  'pet_friendly',
  'lake',
  'mountain',
  'sport',
] as const;

/** The location's own features, in the domain's (MLprod-compatible) order. */
export const LOCATION_FEATURE_NAMES = LOCATION_FEATURES;

export const CROSS_FEATURE_NAMES = ['price_budget_ratio', 'wishes_met', 'family_fit'] as const;

/** Every feature the ranker knows, in the default input order (34). */
export const FEATURE_NAMES = [
  ...REQUEST_FEATURE_NAMES,
  ...LOCATION_FEATURE_NAMES,
  ...CROSS_FEATURE_NAMES,
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** The facility that meets each wish, for `wishes_met`. */
export const WISH_FACILITIES: Readonly<Record<Wish, LocationBooleanFeature>> = {
  pool: 'has_pool',
  spa: 'has_spa',
  pet_friendly: 'animals',
  lake: 'near_lake',
  mountain: 'near_mountains',
  sport: 'has_sport',
};

const REQUEST_SIZE = REQUEST_FEATURE_NAMES.length;
const CANONICAL_INDEX = new Map<string, number>(FEATURE_NAMES.map((name, i) => [name, i]));

function slot(name: FeatureName): number {
  return CANONICAL_INDEX.get(name) as number;
}

const PRICE = slot('price');
const FAMILY_RATING = slot('family_rating');
const PRICE_BUDGET_RATIO = slot('price_budget_ratio');
const WISHES_MET = slot('wishes_met');
const FAMILY_FIT = slot('family_fit');
/** For each wish (WISHES order): its slot, and the slot of the facility that meets it. */
const WISH_SLOTS = Int32Array.from(WISHES, (wish) => slot(wish));
const FACILITY_SLOTS = Int32Array.from(WISHES, (wish) => slot(WISH_FACILITIES[wish]));

export interface FeatureEncoder {
  /** The features this encoder writes, in column order. */
  readonly names: readonly FeatureName[];
  /** Columns per row. */
  readonly width: number;
  /**
   * Writes one row per location into `out` (row-major, `width` floats per row), the first at
   * row `firstRow` (a row index, not a float index: floats from firstRow × width on).
   */
  encode(
    request: EnrichedRequest,
    locations: readonly LocationFeatures[],
    out: Float32Array,
    firstRow: number,
  ): void;
}

/** The names as FeatureName, or an Error naming every unknown or repeated one. */
export function checkFeatureNames(names: readonly string[]): FeatureName[] {
  if (names.length === 0) throw new Error('feature list is empty');
  const unknown = names.filter((name) => !CANONICAL_INDEX.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown feature name(s): ${unknown.join(', ')} (known: ${FEATURE_NAMES.join(', ')})`,
    );
  }
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) throw new Error(`repeated feature name(s): ${repeated.join(', ')}`);
  return names as FeatureName[];
}

/**
 * An encoder for `names` (a subset of FEATURE_NAMES, in any order). It computes every feature
 * into one scratch vector in canonical order (the request part once per call, the location and
 * cross parts once per row) and then gathers the requested columns; nothing is allocated per
 * row. Not re-entrant, which is fine because encoding is synchronous.
 */
export function createFeatureEncoder(names: readonly string[]): FeatureEncoder {
  const checked = checkFeatureNames(names);
  const width = checked.length;
  const order = Int32Array.from(checked, slot);
  const all = new Float64Array(FEATURE_NAMES.length);
  const wanted = new Uint8Array(FACILITY_SLOTS.length);
  let wantedCount = 0;

  const prepareRequest = (
    request: EnrichedRequest,
    rows: number,
    out: Float32Array,
    firstRow: number,
  ) => {
    if (!(request.budget > 0)) throw new RangeError(`budget must be > 0, got ${request.budget}`);
    if (!Number.isInteger(firstRow) || firstRow < 0 || (firstRow + rows) * width > out.length) {
      throw new RangeError(
        `out has ${out.length} floats; ${rows} rows of ${width} from row ${firstRow} do not fit`,
      );
    }
    writeRequest(request, all);
    wantedCount = 0;
    for (let k = 0; k < WISH_SLOTS.length; k++) {
      wanted[k] = all[WISH_SLOTS[k] as number] as number;
      wantedCount += wanted[k] as number;
    }
  };

  const finishRow = (budget: number, childrenNum: number, out: Float32Array, base: number) => {
    all[PRICE_BUDGET_RATIO] = (all[PRICE] as number) / budget;
    let met = 0;
    for (let k = 0; k < FACILITY_SLOTS.length; k++) {
      if (wanted[k] === 1) met += all[FACILITY_SLOTS[k] as number] as number;
    }
    // A group that wants nothing is fully satisfied by any stay.
    all[WISHES_MET] = wantedCount === 0 ? 1 : met / wantedCount;
    all[FAMILY_FIT] = childrenNum > 0 ? (all[FAMILY_RATING] as number) : 0;
    for (let j = 0; j < width; j++) out[base + j] = all[order[j] as number] as number;
  };

  return {
    names: checked,
    width,
    encode(request, locations, out, firstRow) {
      prepareRequest(request, locations.length, out, firstRow);
      for (let r = 0; r < locations.length; r++) {
        writeLocation(locations[r] as LocationFeatures, all, REQUEST_SIZE);
        finishRow(request.budget, request.children_num, out, (firstRow + r) * width);
      }
    },
  };
}

function bit(value: boolean): number {
  return value ? 1 : 0;
}

// Explicit property reads (not a loop over names): monomorphic loads on the hot path. The slots
// follow FEATURE_NAMES; features.test.ts checks every one of them on a hand-made row.
function writeRequest(request: EnrichedRequest, to: Float64Array): void {
  to[0] = request.people_num;
  to[1] = request.children_num;
  to[2] = request.budget;
  to[3] = request.nights;
  to[4] = request.age_avg;
  to[5] = request.age_std;
  to[6] = request.age_min;
  to[7] = request.age_max;
  to[8] = bit(request.pool);
  to[9] = bit(request.spa);
  to[10] = bit(request.pet_friendly);
  to[11] = bit(request.lake);
  to[12] = bit(request.mountain);
  to[13] = bit(request.sport);
}

function writeLocation(location: LocationFeatures, to: Float64Array, at: number): void {
  to[at] = bit(location.children);
  to[at + 1] = bit(location.breakfast);
  to[at + 2] = bit(location.lunch);
  to[at + 3] = bit(location.dinner);
  to[at + 4] = location.price;
  to[at + 5] = bit(location.has_pool);
  to[at + 6] = bit(location.has_spa);
  to[at + 7] = bit(location.animals);
  to[at + 8] = bit(location.near_lake);
  to[at + 9] = bit(location.near_mountains);
  to[at + 10] = bit(location.has_sport);
  to[at + 11] = location.family_rating;
  to[at + 12] = location.outdoor_rating;
  to[at + 13] = location.food_rating;
  to[at + 14] = location.leisure_rating;
  to[at + 15] = location.service_rating;
  to[at + 16] = location.user_score;
}
