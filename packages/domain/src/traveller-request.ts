// A traveller request: what a group tells us about its trip. The API validates it with this
// schema, the simulation generates it, the model turns it into features.
import { z } from 'zod';

/** The six wishes a group may tick. */
export const WISHES = ['pool', 'spa', 'pet_friendly', 'lake', 'mountain', 'sport'] as const;
export type Wish = (typeof WISHES)[number];

export const MAX_PEOPLE = 100;
export const MAX_AGE = 120;
export const MAX_NIGHTS = 365;

/**
 * Arrival dates a trip may have. Well inside PostgreSQL's date range (whose year 0 does not even
 * exist), wide enough for historical imports and bookings far ahead.
 */
export const EARLIEST_ARRIVAL = '2000-01-01';
export const LATEST_ARRIVAL = '2099-12-31';

/** Text that PostgreSQL can store: its text type refuses the NUL character. */
export const storableText = () =>
  z.string().refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

const wish = z.boolean();

/** The request fields, without the cross-field rules (see travellerRequestSchema). */
export const travellerRequestShape = {
  people_num: z.number().int().min(1).max(MAX_PEOPLE).describe('Number of people in the group.'),
  people_age: z
    .array(z.number().int().min(0).max(MAX_AGE))
    .min(1)
    .max(MAX_PEOPLE)
    .describe('One age per person, in years.'),
  children_num: z
    .number()
    .int()
    .min(0)
    .max(MAX_PEOPLE)
    .describe('How many of the people are children.'),
  budget: z
    .number()
    .positive()
    .max(1_000_000)
    .describe('The most the group pays per night for a stay (the unit of a location price).'),
  nights: z.number().int().min(1).max(MAX_NIGHTS).describe('Length of the stay in nights.'),
  time_arrival: z.iso
    .date()
    .refine(
      (value) => value >= EARLIEST_ARRIVAL && value <= LATEST_ARRIVAL,
      `must be between ${EARLIEST_ARRIVAL} and ${LATEST_ARRIVAL}`,
    )
    .describe(`Arrival date, YYYY-MM-DD, from ${EARLIEST_ARRIVAL} to ${LATEST_ARRIVAL}.`),
  pool: wish,
  spa: wish,
  pet_friendly: wish,
  lake: wish,
  mountain: wish,
  sport: wish,
} as const;

export type TravellerRequestFields = z.infer<z.ZodObject<typeof travellerRequestShape>>;

/** Rules that span fields; reported on the field that is wrong. */
export function checkTravellerRequest(value: TravellerRequestFields, ctx: z.RefinementCtx): void {
  if (value.people_age.length !== value.people_num) {
    ctx.addIssue({
      code: 'custom',
      path: ['people_age'],
      message: `must have one age per person: expected ${value.people_num}, got ${value.people_age.length}`,
    });
  }
  if (value.children_num > value.people_num) {
    ctx.addIssue({
      code: 'custom',
      path: ['children_num'],
      message: `must be at most people_num (${value.people_num})`,
    });
  }
}

const profileField = storableText()
  .min(1)
  .max(64)
  .optional()
  .describe('Optional name of the traveller profile, kept for analysis (e.g. "Family").');

/** The request as an object schema without the cross-field rules, for callers to extend. */
export const travellerRequestObject = z.object({ ...travellerRequestShape, profile: profileField });

export const travellerRequestSchema = travellerRequestObject.superRefine(checkTravellerRequest);

export type TravellerRequest = z.infer<typeof travellerRequestSchema>;

/** A family of three wanting a pool and a lake: the API's documented example, and the tests'. */
export const EXAMPLE_TRAVELLER_REQUEST: TravellerRequest = {
  people_num: 3,
  people_age: [40, 38, 6],
  children_num: 1,
  budget: 300,
  nights: 4,
  time_arrival: '2026-08-01',
  pool: true,
  spa: false,
  pet_friendly: false,
  lake: true,
  mountain: false,
  sport: false,
};

export interface AgeStats {
  age_avg: number;
  age_std: number;
  age_min: number;
  age_max: number;
}

/** Derived at ingest: mean, population standard deviation, min and max of the ages. */
export function ageStats(ages: readonly number[]): AgeStats {
  if (ages.length === 0) throw new RangeError('ageStats needs at least one age');
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const a of ages) {
    sum += a;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  const avg = sum / ages.length;
  let sq = 0;
  for (const a of ages) sq += (a - avg) ** 2;
  return { age_avg: avg, age_std: Math.sqrt(sq / ages.length), age_min: min, age_max: max };
}

/** A request with its derived features: what scoring and storage work with. */
export type EnrichedRequest = TravellerRequest & AgeStats;

export function enrichRequest(request: TravellerRequest): EnrichedRequest {
  return { ...request, ...ageStats(request.people_age) };
}

/** The request's fields, in schema order. */
export const TRAVELLER_REQUEST_FIELDS = Object.keys(
  travellerRequestShape,
) as (keyof TravellerRequestFields)[];

/**
 * The traveller request held in a wider record (a database row, a TSV row): its fields, and the
 * profile when there is one. Values are taken as they are; validate where they come from outside.
 */
export function pickTravellerRequest(source: object): TravellerRequest {
  const from = source as Readonly<Record<string, unknown>>;
  const request: Record<string, unknown> = {};
  for (const field of TRAVELLER_REQUEST_FIELDS) request[field] = from[field];
  if (typeof from.profile === 'string') request.profile = from.profile;
  return request as TravellerRequest;
}

/**
 * For flat rows that repeat a request on each of its stays (a TSV row, a database row): enriches
 * each request once, so that the rows with one key share one EnrichedRequest object.
 */
export function enrichOncePer<K>(): (key: K, row: object) => EnrichedRequest {
  const requests = new Map<K, EnrichedRequest>();
  return (key, row) => {
    let request = requests.get(key);
    if (!request) {
      request = enrichRequest(pickTravellerRequest(row));
      requests.set(key, request);
    }
    return request;
  };
}
