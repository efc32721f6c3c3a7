// Profile tables: the kinds of traveller groups and of towns that the generators draw from.
// Columns keep the table's snake_case names (the same words as the original MLprod tables),
// except the two meta columns, which get names that say what they are.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { MAX_AGE, MAX_NIGHTS, MAX_PEOPLE } from '@predictq/domain';
import { z } from 'zod';
import { readTable, throwIfProblems, type TsvProblem } from './tsv';

const DATA_DIR = path.resolve(__dirname, '..', 'data');
/** The shipped traveller profiles (Single, Family, Sport, ...). */
export const DEFAULT_TRAVELLER_PROFILES = path.join(DATA_DIR, 'travellers.tsv');
/** One deliberately unusual group (large, old, rich), to simulate drift. */
export const NOISY_TRAVELLER_PROFILES = path.join(DATA_DIR, 'travellers-noisy.tsv');
/** The shipped location profiles, one per town. */
export const DEFAULT_LOCATION_PROFILES = path.join(DATA_DIR, 'locations.tsv');

// Cells are strings; a number must look like one (z.coerce would turn '' into 0).
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const num = (check: (n: z.ZodNumber) => z.ZodNumber) =>
  z.string().trim().regex(NUMBER, 'must be a number').transform(Number).pipe(check(z.number()));
const int = (min: number, max: number) =>
  num((n) =>
    n
      .int('must be an integer')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
const probability = num((n) => n.min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]'));
const nonNegative = num((n) => n.min(0, 'must be >= 0'));
// A request's profile name is at most 64 characters; generated requests carry this name.
const name = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

/** Adds an issue on `<range>_max` when it is below `<range>_min`, for each range named. */
function orderedRanges<P extends string>(ranges: readonly P[]) {
  return (row: Record<`${P}_min` | `${P}_max`, number>, ctx: z.RefinementCtx): void => {
    for (const range of ranges) {
      const min = `${range}_min` as const;
      const max = `${range}_max` as const;
      if (row[min] > row[max]) {
        ctx.addIssue({ code: 'custom', path: [max], message: `must be >= ${min} (${row[min]})` });
      }
    }
  };
}

const budget = num((n) =>
  n.min(0.01, 'must be at least 0.01').max(1_000_000, 'must be at most 1000000'),
);

const travellerRow = z
  .object({
    meta_comment: name,
    meta_dist: nonNegative,
    people_min: int(1, MAX_PEOPLE),
    people_max: int(1, MAX_PEOPLE),
    age_min: int(0, MAX_AGE),
    age_max: int(0, MAX_AGE),
    minor_age: int(0, MAX_AGE),
    budget_min: budget,
    budget_max: budget,
    nights_min: int(1, MAX_NIGHTS),
    nights_max: int(1, MAX_NIGHTS),
    spa_thr: probability,
    pool_thr: probability,
    pet_friendly_thr: probability,
    lakes_thr: probability,
    mountains_thr: probability,
    sport_thr: probability,
    budget_tolerance: nonNegative,
    facilities_tolerance: probability,
    environment_tolerance: probability,
    family_tolerance: nonNegative,
    weight_spa: probability,
    weight_pool: probability,
    weight_pet: probability,
    weight_lake: probability,
    weight_mountains: probability,
    weight_sport: probability,
    weight_score_facilities: nonNegative,
    weight_score_environment: nonNegative,
    weight_score_users: nonNegative,
    exploration_tolerance: probability,
    ignore_tolerance: probability,
  })
  .superRefine(orderedRanges(['people', 'age', 'budget', 'nights']))
  .transform(({ meta_comment, meta_dist, ...rest }) => ({
    name: meta_comment,
    weight: meta_dist,
    ...rest,
  }));

/** A kind of traveller group: how its requests are drawn and how it chooses (the labeller). */
export type TravellerProfile = z.output<typeof travellerRow>;

const rating = nonNegative;

const locationRow = z
  .object({
    meta_comment: name,
    meta_n: int(0, 1_000_000),
    threshold_child: probability,
    threshold_breakfast: probability,
    threshold_lunch: probability,
    threshold_dinner: probability,
    price_min: nonNegative,
    price_max: nonNegative,
    threshold_pool: probability,
    threshold_spa: probability,
    threshold_animals: probability,
    threshold_lake: probability,
    threshold_mountain: probability,
    threshold_sport: probability,
    family_min: rating,
    family_max: rating,
    outdoor_min: rating,
    outdoor_max: rating,
    food_min: rating,
    food_max: rating,
    leisure_min: rating,
    leisure_max: rating,
    service_min: rating,
    service_max: rating,
    score_min: rating,
    score_max: rating,
  })
  .superRefine(orderedRanges(['price', 'family', 'outdoor', 'food', 'leisure', 'service', 'score']))
  .transform(({ meta_comment, meta_n, ...rest }) => ({
    town: meta_comment,
    count: meta_n,
    ...rest,
  }));

/** A town: how many stays it has and the odds and ranges of their features. */
export type LocationProfile = z.output<typeof locationRow>;

function parseRows<S extends z.ZodType>(
  schema: S & { in: z.ZodObject },
  text: string,
  source: string,
): z.output<S>[] {
  const rows = readTable(text, source, Object.keys(schema.in.shape));
  const problems: TsvProblem[] = [];
  const profiles: z.output<S>[] = [];
  rows.forEach((cells, i) => {
    const result = schema.safeParse(cells);
    if (result.success) {
      profiles.push(result.data);
      return;
    }
    for (const issue of result.error.issues) {
      const column = String(issue.path[0] ?? '');
      problems.push({
        row: i + 1,
        ...(cells.meta_comment ? { label: cells.meta_comment.trim() } : {}),
        ...(column ? { column } : {}),
        reason: column ? `${issue.message}, got "${cells[column] ?? ''}"` : issue.message,
      });
    }
  });
  throwIfProblems(source, problems);
  return profiles;
}

/** File-wide rules: names identify profiles (the labeller is looked up by name). */
function checkNames(names: string[], source: string, what: string): void {
  const problems: TsvProblem[] = [];
  if (names.length === 0) problems.push({ reason: `needs at least one ${what} profile` });
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) {
      problems.push({ row: i + 1, label: n, column: 'meta_comment', reason: 'duplicate name' });
    }
  });
  throwIfProblems(source, problems);
}

/** Parses a traveller profile table; `source` names the file in error messages. */
export function parseTravellerProfiles(text: string, source: string): TravellerProfile[] {
  const profiles = parseRows(travellerRow, text, source);
  checkNames(
    profiles.map((p) => p.name),
    source,
    'traveller',
  );
  if (profiles.every((p) => p.weight === 0)) {
    throwIfProblems(source, [{ column: 'meta_dist', reason: 'at least one weight must be > 0' }]);
  }
  return profiles;
}

/** Parses a location profile table; `source` names the file in error messages. */
export function parseLocationProfiles(text: string, source: string): LocationProfile[] {
  const profiles = parseRows(locationRow, text, source);
  checkNames(
    profiles.map((p) => p.town),
    source,
    'location',
  );
  if (profiles.every((p) => p.count === 0)) {
    throwIfProblems(source, [{ column: 'meta_n', reason: 'at least one town must have stays' }]);
  }
  return profiles;
}

export async function readTravellerProfiles(
  file: string = DEFAULT_TRAVELLER_PROFILES,
): Promise<TravellerProfile[]> {
  return parseTravellerProfiles(await readFile(file, 'utf8'), file);
}

export async function readLocationProfiles(
  file: string = DEFAULT_LOCATION_PROFILES,
): Promise<LocationProfile[]> {
  return parseLocationProfiles(await readFile(file, 'utf8'), file);
}
