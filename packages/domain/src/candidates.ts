// The cheap first stage of ranking: drop stays far over the group's budget before the model
// scores anything. The dataset generator shows stays from the same stage, so the model is
// trained on the distribution it serves.

export interface CandidateOptions {
  /** Stays priced above budget × this ratio are dropped. */
  maxPriceRatio: number;
  /** When fewer stays pass, the cheapest others fill up to this many (or the whole catalogue). */
  minCandidates: number;
}

export const DEFAULT_CANDIDATE_OPTIONS: CandidateOptions = {
  maxPriceRatio: 1.5,
  minCandidates: 10,
};

/**
 * Indices (into `prices`, in ascending index order) of the stays worth scoring for `budget`.
 * `cheapestOrder` is the catalogue's indices sorted by price, ascending; callers keep it with the
 * catalogue so that this runs in O(n) per request.
 */
export function selectCandidates(
  prices: ArrayLike<number>,
  cheapestOrder: ArrayLike<number>,
  budget: number,
  options: CandidateOptions = DEFAULT_CANDIDATE_OPTIONS,
): number[] {
  const limit = budget * options.maxPriceRatio;
  const picked: number[] = [];
  for (let i = 0; i < prices.length; i++) {
    if ((prices[i] as number) <= limit) picked.push(i);
  }
  const wanted = Math.min(options.minCandidates, prices.length);
  if (picked.length >= wanted) return picked;
  // Everything that passed is among the cheapest, so the cheapest `wanted` are a superset.
  const filled: number[] = [];
  for (let k = 0; k < wanted; k++) filled.push(cheapestOrder[k] as number);
  return filled.sort((a, b) => a - b);
}

/** Catalogue indices sorted by ascending price (ties by index), for selectCandidates. */
export function cheapestFirst(prices: ArrayLike<number>): number[] {
  return Array.from({ length: prices.length }, (_, i) => i).sort(
    (a, b) => (prices[a] as number) - (prices[b] as number) || a - b,
  );
}
