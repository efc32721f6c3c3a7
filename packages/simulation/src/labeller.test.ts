import type { LocationFeatures } from '@predictq/domain';
import { createRng } from '@predictq/random';
import {
  decide,
  MIN_ACCEPTABLE_SCORE,
  scoreStay,
  type DecisionRng,
  type LabellerProfile,
  type LabellerRequest,
} from './labeller';

const profile: LabellerProfile = {
  budget_tolerance: 0,
  facilities_tolerance: 0,
  environment_tolerance: 0,
  family_tolerance: 1,
  weight_spa: 1,
  weight_pool: 1,
  weight_pet: 1,
  weight_lake: 1,
  weight_mountains: 1,
  weight_sport: 1,
  weight_score_facilities: 1,
  weight_score_environment: 1,
  weight_score_users: 1,
  exploration_tolerance: 0.5,
  ignore_tolerance: 0.9,
};

const request: LabellerRequest = {
  budget: 200,
  children_num: 0,
  pool: false,
  spa: false,
  pet_friendly: false,
  lake: false,
  mountain: false,
  sport: false,
};

const stay: LocationFeatures = {
  children: false,
  breakfast: false,
  lunch: false,
  dinner: false,
  price: 100,
  has_pool: false,
  has_spa: false,
  animals: false,
  near_lake: false,
  near_mountains: false,
  has_sport: false,
  family_rating: 1,
  outdoor_rating: 1,
  food_rating: 1,
  leisure_rating: 1,
  service_rating: 1,
  user_score: 1,
};

describe('scoreStay', () => {
  it('accepts a price up to budget × (1 + budget_tolerance) and rejects one cent more', () => {
    const tolerant = { ...profile, budget_tolerance: 0.25 };
    expect(scoreStay(tolerant, request, { ...stay, price: 250 })).toBeGreaterThan(0);
    expect(scoreStay(tolerant, request, { ...stay, price: 250.01 })).toBe(0);
    expect(scoreStay(profile, request, { ...stay, price: 200 })).toBeGreaterThan(0);
    expect(scoreStay(profile, request, { ...stay, price: 200.01 })).toBe(0);
  });

  it('rejects a stay that meets less than facilities_tolerance of the wanted facilities', () => {
    const wants = { ...request, spa: true, pool: true };
    const spaOnly = { ...stay, has_spa: true };
    expect(scoreStay({ ...profile, facilities_tolerance: 0.5 }, wants, spaOnly)).toBeGreaterThan(0);
    expect(scoreStay({ ...profile, facilities_tolerance: 0.6 }, wants, spaOnly)).toBe(0);
    // Wanted share is weighted: spa 1 + pool 0.5 wanted, 1 met -> 2/3.
    const lightPool = { ...profile, weight_pool: 0.5, facilities_tolerance: 0.6 };
    expect(scoreStay(lightPool, wants, spaOnly)).toBeGreaterThan(0);
    // Pets are met by animals.
    const pets = { ...request, pet_friendly: true };
    const strict = { ...profile, facilities_tolerance: 1 };
    expect(scoreStay(strict, pets, stay)).toBe(0);
    expect(scoreStay(strict, pets, { ...stay, animals: true })).toBeGreaterThan(0);
  });

  it('rejects a stay that meets less than environment_tolerance of the wanted surroundings', () => {
    const wants = { ...request, lake: true, mountain: true };
    const lakeOnly = { ...stay, near_lake: true };
    expect(scoreStay({ ...profile, environment_tolerance: 0.5 }, wants, lakeOnly)).toBeGreaterThan(
      0,
    );
    expect(scoreStay({ ...profile, environment_tolerance: 0.75 }, wants, lakeOnly)).toBe(0);
    // Sport is both a facility and part of the surroundings.
    const sporty = { ...request, sport: true };
    expect(scoreStay({ ...profile, environment_tolerance: 1 }, sporty, stay)).toBe(0);
    expect(scoreStay({ ...profile, facilities_tolerance: 1 }, sporty, stay)).toBe(0);
    expect(
      scoreStay({ ...profile, environment_tolerance: 1 }, sporty, { ...stay, has_sport: true }),
    ).toBeGreaterThan(0);
  });

  it('rejects a family rating below family_tolerance only when the group has children', () => {
    const family = { ...request, children_num: 1 };
    const low = { ...stay, family_rating: 0.99 };
    expect(scoreStay(profile, family, low)).toBe(0);
    expect(scoreStay(profile, family, { ...stay, family_rating: 1 })).toBeGreaterThan(0);
    expect(scoreStay(profile, request, low)).toBeGreaterThan(0);
  });

  it('sums the weighted ratings, counting each met wish as 1 whatever its weight', () => {
    const weights = {
      ...profile,
      weight_spa: 0.5,
      weight_score_facilities: 2,
      weight_score_environment: 3,
      weight_score_users: 5,
    };
    const wants = { ...request, spa: true, lake: true, sport: true };
    const location = {
      ...stay,
      has_spa: true,
      near_lake: true,
      has_sport: true,
      family_rating: 0.5,
      service_rating: 1.5,
      outdoor_rating: 2,
      food_rating: 3,
      leisure_rating: 4,
      user_score: 0.25,
    };
    // facilities: 0.5 + 1.5 + 2 met (spa, sport); surroundings: 2 + 3 + 4 + 2 met (lake, sport).
    expect(scoreStay(weights, wants, location)).toBeCloseTo(2 * 4 + 3 * 11 + 5 * 0.25, 10);
  });

  it('gives an acceptable stay with nothing going for it a score above 0', () => {
    const bare = { ...stay, family_rating: 0, outdoor_rating: 0, food_rating: 0 };
    const nothing = { ...bare, leisure_rating: 0, service_rating: 0, user_score: 0 };
    expect(scoreStay(profile, request, nothing)).toBe(MIN_ACCEPTABLE_SCORE);
  });
});

/** Forces the draws: next() returns `draws` in order; weightedIndex records its weights. */
function forcedRng(draws: number[], weightedChoice = 0) {
  const weights: number[][] = [];
  const rng: DecisionRng = {
    next: () => {
      const value = draws.shift();
      if (value === undefined) throw new Error('unexpected draw');
      return value;
    },
    weightedIndex: (w) => {
      weights.push([...w]);
      return weightedChoice;
    },
  };
  return { rng, weights, draws };
}

const over = { ...stay, price: 1000 };
const good = { ...stay, user_score: 3 };
const better = { ...stay, user_score: 4 };

describe('decide', () => {
  it('returns nothing_acceptable without drawing when every shown stay scores 0', () => {
    const { rng } = forcedRng([]);
    expect(decide(profile, request, [over, over], rng)).toEqual({
      index: null,
      reason: 'nothing_acceptable',
      scores: [0, 0],
    });
  });

  it('ignores the results when the first draw is above ignore_tolerance', () => {
    const ignored = forcedRng([0.95]);
    expect(decide(profile, request, [good], ignored.rng)).toMatchObject({
      index: null,
      reason: 'ignored',
    });
    // At the tolerance the group still chooses.
    const atTolerance = forcedRng([0.9, 0.6]);
    expect(decide(profile, request, [good], atTolerance.rng).reason).toBe('exploited');
  });

  it('exploits the best stay (the first on ties) when the second draw is above exploration_tolerance', () => {
    const { rng, weights, draws } = forcedRng([0.1, 0.51]);
    const decision = decide(profile, request, [over, good, better, better], rng);
    expect(decision).toMatchObject({ index: 2, reason: 'exploited' });
    expect(decision.scores[2]).toBeGreaterThan(decision.scores[1]!);
    expect(weights).toEqual([]);
    expect(draws).toEqual([]);
  });

  it('explores in proportion to the scores when the second draw is at or below exploration_tolerance', () => {
    const { rng, weights } = forcedRng([0.1, 0.5], 1);
    const decision = decide(profile, request, [over, good, better], rng);
    expect(decision).toMatchObject({ index: 1, reason: 'explored' });
    expect(weights).toEqual([decision.scores]);
    expect(weights[0]![0]).toBe(0);
  });

  it('explores with a real generator: choices follow the scores and never an unacceptable stay', () => {
    const explorer = { ...profile, exploration_tolerance: 1, ignore_tolerance: 1 };
    const shown = [good, over, { ...stay, user_score: 9 }];
    const { scores } = decide(explorer, request, shown, createRng(1));
    const rng = createRng(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 6000; i++) counts[decide(explorer, request, shown, rng).index!]! += 1;
    expect(counts[1]).toBe(0);
    const expected = scores[2]! / scores[0]!;
    expect(counts[2]! / counts[0]!).toBeGreaterThan(expected * 0.9);
    expect(counts[2]! / counts[0]!).toBeLessThan(expected * 1.1);
  });
});
