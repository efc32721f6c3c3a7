// Traveller requests: which kind of group comes next, and what that group asks for.
import type { TravellerRequest } from '@predictq/domain';
import type { Rng } from '@predictq/random';
import type { TravellerProfile } from './profiles';
import { roundToCents } from './round';

/** A generated request always names the profile it was drawn from. */
export type GeneratedRequest = TravellerRequest & { profile: string };

export interface GenerateRequestOptions {
  /** First possible arrival day (YYYY-MM-DD, UTC); arrivals spread over the next 365 days. */
  startDate: string;
}

const DAY_MS = 86_400_000;

/** Milliseconds since the epoch of a YYYY-MM-DD date at 00:00 UTC; throws on a non-date. */
export function parseIsoDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  // Date.UTC rolls 2026-02-30 over into March: a real date prints back as itself.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`expected a date YYYY-MM-DD, got "${date}"`);
  }
  return ms;
}

/** A profile drawn in proportion to its weight (meta_dist). */
export function pickProfile<P extends Pick<TravellerProfile, 'weight'>>(
  profiles: readonly P[],
  rng: Rng,
): P {
  if (profiles.length === 0) throw new RangeError('cannot pick from no profiles');
  return profiles[rng.weightedIndex(profiles.map((p) => p.weight))] as P;
}

/**
 * One request of `profile`'s kind: counts uniform over their inclusive ranges, the budget
 * uniform and rounded to cents, each wish with its probability.
 */
export function generateRequest(
  profile: TravellerProfile,
  rng: Rng,
  options: GenerateRequestOptions,
): GeneratedRequest {
  const start = parseIsoDate(options.startDate);
  // Draw order follows MLprod's generator; the object below is in the request's field order.
  const people_num = rng.int(profile.people_min, profile.people_max);
  const people_age = Array.from({ length: people_num }, () =>
    rng.int(profile.age_min, profile.age_max),
  );
  // minor_age 0 means the profile has no children, whatever the ages.
  const children_num =
    profile.minor_age > 0 ? people_age.filter((age) => age < profile.minor_age).length : 0;
  const budget = roundToCents(rng.uniform(profile.budget_min, profile.budget_max));
  const nights = rng.int(profile.nights_min, profile.nights_max);
  const time_arrival = new Date(start + rng.int(0, 364) * DAY_MS).toISOString().slice(0, 10);
  const spa = rng.bernoulli(profile.spa_thr);
  const pool = rng.bernoulli(profile.pool_thr);
  const pet_friendly = rng.bernoulli(profile.pet_friendly_thr);
  const lake = rng.bernoulli(profile.lakes_thr);
  const mountain = rng.bernoulli(profile.mountains_thr);
  const sport = rng.bernoulli(profile.sport_thr);
  return {
    people_num,
    people_age,
    children_num,
    budget,
    nights,
    time_arrival,
    pool,
    spa,
    pet_friendly,
    lake,
    mountain,
    sport,
    profile: profile.name,
  };
}
