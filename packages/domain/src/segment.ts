// The traveller segment of a request: what offline evaluation, the promotion rule, drift and
// rollouts report per. The profile the client declared names the kind of traveller best, so it
// wins when present; otherwise the request's own features place it in a bucket (group kind ×
// budget band), so that every request has a segment and one request always gets the same one.
import type { TravellerRequest } from './traveller-request';

export const GROUP_KINDS = ['solo', 'couple', 'family', 'group'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

/**
 * Budget bands per night (the unit of a stay's price), by their lower bound. The bounds follow
 * the price ranges of the catalogue's towns, so a band is a set of stays a group can afford.
 */
export const BUDGET_BANDS = [
  { name: 'under-150', from: 0 },
  { name: '150-400', from: 150 },
  { name: '400-1000', from: 400 },
  { name: '1000-up', from: 1000 },
] as const;
export type BudgetBand = (typeof BUDGET_BANDS)[number]['name'];

export const PROFILE_SEGMENT_PREFIX = 'profile:';
export const FEATURE_SEGMENT_PREFIX = 'features:';

/** Any children make a family; otherwise the head count decides. */
export function groupKind(
  request: Pick<TravellerRequest, 'people_num' | 'children_num'>,
): GroupKind {
  if (request.children_num > 0) return 'family';
  if (request.people_num === 1) return 'solo';
  if (request.people_num === 2) return 'couple';
  return 'group';
}

export function budgetBand(budget: number): BudgetBand {
  let band: BudgetBand = BUDGET_BANDS[0].name;
  for (const { name, from } of BUDGET_BANDS) if (budget >= from) band = name;
  return band;
}

/**
 * `profile:<name>` when the request declares a profile, else `features:<group kind>/<budget
 * band>` (e.g. `features:family/150-400`).
 */
export function segmentOf(
  request: Pick<TravellerRequest, 'people_num' | 'children_num' | 'budget' | 'profile'>,
): string {
  if (request.profile !== undefined && request.profile !== '') {
    return `${PROFILE_SEGMENT_PREFIX}${request.profile}`;
  }
  return `${FEATURE_SEGMENT_PREFIX}${groupKind(request)}/${budgetBand(request.budget)}`;
}
