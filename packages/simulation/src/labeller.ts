// The simulated person: scores the stays shown to a group and decides which one (if any) the
// group picks. The dataset generator and the traffic generator both decide through here, so
// the model is trained on the same behaviour that later gives it feedback. The semantics are
// those of the original system (MLprod, src/mlprod/data/labels.py).
import type { LocationFeatures, TravellerRequest, Wish } from '@predictq/domain';
import type { Rng } from '@predictq/random';
import type { TravellerProfile } from './profiles';

/** The profile columns that describe how a group chooses. */
export type LabellerProfile = Pick<
  TravellerProfile,
  | 'budget_tolerance'
  | 'facilities_tolerance'
  | 'environment_tolerance'
  | 'family_tolerance'
  | 'weight_spa'
  | 'weight_pool'
  | 'weight_pet'
  | 'weight_lake'
  | 'weight_mountains'
  | 'weight_sport'
  | 'weight_score_facilities'
  | 'weight_score_environment'
  | 'weight_score_users'
  | 'exploration_tolerance'
  | 'ignore_tolerance'
>;

/** The request fields the decision looks at. */
export type LabellerRequest = Pick<TravellerRequest, 'budget' | 'children_num' | Wish>;

type WishCheck = readonly [Wish, keyof LocationFeatures, keyof LabellerProfile];

// Sport counts twice, as a facility and as part of the surroundings, as in the original.
const FACILITIES: readonly WishCheck[] = [
  ['spa', 'has_spa', 'weight_spa'],
  ['pool', 'has_pool', 'weight_pool'],
  ['pet_friendly', 'animals', 'weight_pet'],
  ['sport', 'has_sport', 'weight_sport'],
];
const ENVIRONMENT: readonly WishCheck[] = [
  ['lake', 'near_lake', 'weight_lake'],
  ['mountain', 'near_mountains', 'weight_mountains'],
  ['sport', 'has_sport', 'weight_sport'],
];

/**
 * The lowest score of an acceptable stay. All ratings can be 0, which in the original made an
 * acceptable stay indistinguishable from a rejected one; with this floor "acceptable" and
 * "score > 0" are the same thing.
 */
export const MIN_ACCEPTABLE_SCORE = 1e-6;

/** How well the wishes of `checks` are met: the weights wanted and the wishes met. */
function wishes(
  checks: readonly WishCheck[],
  profile: LabellerProfile,
  request: LabellerRequest,
  location: LocationFeatures,
): { desired: number; achieved: number } {
  let desired = 0;
  let achieved = 0;
  for (const [wish, feature, weight] of checks) {
    if (!request[wish]) continue;
    desired += profile[weight];
    // As in the original: a met wish adds 1, not its weight, while the wanted share is weighted.
    // A weight below 1 thus makes a wish easier to satisfy (the share can exceed 1).
    if (location[feature]) achieved += 1;
  }
  return { desired, achieved };
}

/**
 * How much the group likes a stay: 0 when it is unacceptable (over budget beyond the
 * tolerance, too few wanted facilities or surroundings, not for families when there are
 * children), otherwise a positive weighted sum of its ratings and met wishes.
 */
export function scoreStay(
  profile: LabellerProfile,
  request: LabellerRequest,
  location: LocationFeatures,
): number {
  if (location.price > request.budget * (1 + profile.budget_tolerance)) return 0;
  const facilities = wishes(FACILITIES, profile, request, location);
  if (
    facilities.desired > 0 &&
    facilities.achieved / facilities.desired < profile.facilities_tolerance
  ) {
    return 0;
  }
  const environment = wishes(ENVIRONMENT, profile, request, location);
  if (
    environment.desired > 0 &&
    environment.achieved / environment.desired < profile.environment_tolerance
  ) {
    return 0;
  }
  if (request.children_num > 0 && location.family_rating < profile.family_tolerance) return 0;
  const score =
    profile.weight_score_facilities *
      (location.family_rating + location.service_rating + facilities.achieved) +
    profile.weight_score_environment *
      (location.outdoor_rating +
        location.food_rating +
        location.leisure_rating +
        environment.achieved) +
    profile.weight_score_users * location.user_score;
  return Math.max(score, MIN_ACCEPTABLE_SCORE);
}

/**
 * What the group did with the stays it was shown:
 * - `exploited`: it took the best-scoring stay (the first one on ties);
 * - `explored`: it took a stay drawn in proportion to the scores;
 * - `nothing_acceptable`: no shown stay scored above 0 (index null, no random draw);
 * - `ignored`: it had acceptable stays but did not choose (index null).
 * `scores` holds scoreStay for every shown stay, in the order shown.
 */
export type Decision =
  | { index: number; reason: 'exploited' | 'explored'; scores: number[] }
  | { index: null; reason: 'nothing_acceptable' | 'ignored'; scores: number[] };

/** The random draws a decision needs; any Rng fits, and a test can force each draw. */
export type DecisionRng = Pick<Rng, 'next' | 'weightedIndex'>;

/**
 * Decides which of the `shown` stays the group picks. Draws (in this order, each only when it is
 * reached): u, ignoring the results when u > ignore_tolerance; v, taking the best stay when
 * v > exploration_tolerance; otherwise one weighted draw among the scores.
 */
export function decide(
  profile: LabellerProfile,
  request: LabellerRequest,
  shown: readonly LocationFeatures[],
  rng: DecisionRng,
): Decision {
  const scores = shown.map((location) => scoreStay(profile, request, location));
  if (!scores.some((s) => s > 0)) return { index: null, reason: 'nothing_acceptable', scores };
  if (rng.next() > profile.ignore_tolerance) return { index: null, reason: 'ignored', scores };
  if (rng.next() > profile.exploration_tolerance) {
    let best = 0;
    for (let i = 1; i < scores.length; i++) {
      if ((scores[i] as number) > (scores[best] as number)) best = i;
    }
    return { index: best, reason: 'exploited', scores };
  }
  return { index: rng.weightedIndex(scores), reason: 'explored', scores };
}
