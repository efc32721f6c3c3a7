// Offline metrics of a ranker over logged choices: each prediction showed some stays, and its
// feedback chose one of them or none. Logged data labels only the stays that were shown, so
// "was the chosen stay in the top K" is always true offline for the model that served; what can
// be measured is how each model orders the shown stays (MRR, NDCG, hit@3 of the chosen one), how
// well its probabilities match what happened (log-loss, calibration), whether it expects the
// "none fitted" answers the users gave, and, when the model has re-ranked every candidate of the
// request, whether it would show the chosen stay again and the rejected ones again. Every mean is
// weighted by the prediction's weight (recency), rows inheriting their prediction's; with all
// weights 1 they are the plain means, checkable by hand.
import { z } from 'zod';

import { LOG_LOSS_EPS } from './metrics';

/** One prediction's feedback, scored by one model. */
export interface LoggedChoice {
  /** The model's score (probability of being chosen) of each shown stay. */
  scores: ArrayLike<number>;
  /** Index into `scores` of the chosen stay; null when the feedback was "none fitted". */
  chosen: number | null;
  /** > 0; 1 when unweighted. */
  weight: number;
  /**
   * For each shown stay, whether the model would show it again: whether it is in the model's own
   * top K of all the request's candidates. Left out when the model did not re-rank them.
   */
  kept?: ArrayLike<boolean>;
}

/** Equal-width bins of the expected calibration error. */
export const CALIBRATION_BINS = 10;
/** hit@HIT_RANK: the chosen stay is among the model's first HIT_RANK shown stays. */
export const HIT_RANK = 3;

const rate = z.number().min(0).max(1);

export const choiceMetricsSchema = z.object({
  predictions: z.number().int().min(0),
  /** Shown stays of those predictions. */
  rows: z.number().int().min(0),
  /** Predictions whose feedback chose a stay (the others said "none fitted"). */
  chosen: z.number().int().min(0),
  /**
   * Kish's effective number of predictions, (Σw)² / Σw²: how much evidence the weighted means
   * rest on (equal to `predictions` when unweighted).
   */
  effective_predictions: z.number().min(0),
  /** Mean reciprocal rank of the chosen stay; null without a chosen stay. */
  mrr: rate.nullable(),
  /** NDCG with the chosen stay as the one relevant item: 1 / log2(1 + rank). */
  ndcg: rate.nullable(),
  hit_at_3: rate.nullable(),
  /** Binary cross-entropy over the shown stays (label 1 for the chosen one). */
  log_loss: z.number().min(0).nullable(),
  /** Expected calibration error over CALIBRATION_BINS equal-width bins of the score. */
  ece: rate.nullable(),
  /** Mean score of the shown stays, and the share of them that were chosen. */
  mean_predicted: rate.nullable(),
  observed_rate: rate.nullable(),
  /** Share of predictions answered "none fitted". */
  none_rate: rate.nullable(),
  /** The model's estimate of it: the mean of max(0, 1 − Σ scores of the shown stays). */
  none_rate_predicted: rate.nullable(),
  /** Share of the chosen stays the model would show again (in its top K of all candidates). */
  chosen_kept: rate.nullable(),
  /** Share of the stays shown to "none fitted" predictions that the model would show again. */
  rejected_repeated: rate.nullable(),
});
export type ChoiceMetrics = z.infer<typeof choiceMetricsSchema>;

/**
 * The chosen stay's rank among the shown stays, sorted by score, with ties broken uniformly at
 * random: the expected value of f(rank). A model that scores every stay alike thus gets what a
 * random order would, neither the best nor the worst rank.
 */
export function expectedOverRank(
  scores: ArrayLike<number>,
  chosen: number,
  f: (rank: number) => number,
): number {
  const own = scores[chosen] as number;
  let above = 0;
  let tied = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === chosen) continue;
    const s = scores[i] as number;
    if (s > own) above++;
    else if (s === own) tied++;
  }
  let sum = 0;
  for (let rank = above + 1; rank <= above + tied + 1; rank++) sum += f(rank);
  return sum / (tied + 1);
}

const reciprocal = (rank: number) => 1 / rank;
const discounted = (rank: number) => 1 / Math.log2(rank + 1);
const hit = (rank: number) => (rank <= HIT_RANK ? 1 : 0);

/** A binary cross-entropy with the probability clipped as in evaluate(). */
function crossEntropy(score: number, label: number): number {
  const p = Math.min(Math.max(score, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
  return label === 1 ? -Math.log(p) : -Math.log(1 - p);
}

function checkChoice(choice: LoggedChoice, index: number): void {
  if (!(choice.weight > 0 && Number.isFinite(choice.weight))) {
    throw new RangeError(`choice ${index} has weight ${choice.weight}, not a positive number`);
  }
  if (choice.scores.length === 0) throw new RangeError(`choice ${index} shows no stay`);
  if (choice.kept !== undefined && choice.kept.length !== choice.scores.length) {
    throw new RangeError(
      `choice ${index} has ${choice.kept.length} kept flags for ${choice.scores.length} stays`,
    );
  }
  if (
    choice.chosen !== null &&
    !(Number.isInteger(choice.chosen) && choice.chosen >= 0 && choice.chosen < choice.scores.length)
  ) {
    throw new RangeError(`choice ${index} chose stay ${choice.chosen} of ${choice.scores.length}`);
  }
  for (let i = 0; i < choice.scores.length; i++) {
    const s = choice.scores[i] as number;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`choice ${index}: score ${i} is ${s}`);
  }
}

/** Every metric of one model over `choices`; the means are null over no predictions. */
export function choiceMetrics(choices: readonly LoggedChoice[]): ChoiceMetrics {
  let rows = 0;
  let chosen = 0;
  let weight = 0;
  let squares = 0;
  let chosenWeight = 0;
  let rr = 0;
  let ndcg = 0;
  let hits = 0;
  let rowWeight = 0;
  let loss = 0;
  let predicted = 0;
  let positives = 0;
  let none = 0;
  let nonePredicted = 0;
  // Over the choices that carry kept flags only.
  const kept = { chosen: 0, chosenWeight: 0, repeated: 0, rejectedWeight: 0 };
  const bins = Array.from({ length: CALIBRATION_BINS }, () => ({ w: 0, p: 0, y: 0 }));
  choices.forEach((choice, index) => {
    checkChoice(choice, index);
    const w = choice.weight;
    weight += w;
    squares += w * w;
    rows += choice.scores.length;
    let total = 0;
    for (let i = 0; i < choice.scores.length; i++) {
      const s = choice.scores[i] as number;
      const y = i === choice.chosen ? 1 : 0;
      total += s;
      rowWeight += w;
      loss += w * crossEntropy(s, y);
      predicted += w * s;
      positives += w * y;
      const bin = bins[Math.min(Math.floor(s * CALIBRATION_BINS), CALIBRATION_BINS - 1)]!;
      bin.w += w;
      bin.p += w * s;
      bin.y += w * y;
    }
    // At most one stay is chosen, so "stay i is chosen" are disjoint events and, were the scores
    // calibrated probabilities of them, P(none) = 1 − Σ p_i. Pointwise training does not bound
    // Σ p_i by 1, hence the floor at 0.
    nonePredicted += w * Math.max(0, 1 - total);
    if (choice.kept) countKept(choice, kept);
    if (choice.chosen === null) {
      none += w;
      return;
    }
    chosen++;
    chosenWeight += w;
    rr += w * expectedOverRank(choice.scores, choice.chosen, reciprocal);
    ndcg += w * expectedOverRank(choice.scores, choice.chosen, discounted);
    hits += w * expectedOverRank(choice.scores, choice.chosen, hit);
  });
  const perChosen = (sum: number) => (chosenWeight > 0 ? sum / chosenWeight : null);
  const perRow = (sum: number) => (rowWeight > 0 ? sum / rowWeight : null);
  const perPrediction = (sum: number) => (weight > 0 ? sum / weight : null);
  let ece = 0;
  for (const bin of bins) if (bin.w > 0) ece += Math.abs(bin.p - bin.y) / rowWeight;
  return {
    predictions: choices.length,
    rows,
    chosen,
    effective_predictions: squares > 0 ? (weight * weight) / squares : 0,
    mrr: perChosen(rr),
    ndcg: perChosen(ndcg),
    hit_at_3: perChosen(hits),
    log_loss: perRow(loss),
    ece: rowWeight > 0 ? ece : null,
    mean_predicted: perRow(predicted),
    observed_rate: perRow(positives),
    none_rate: perPrediction(none),
    none_rate_predicted: perPrediction(nonePredicted),
    chosen_kept: kept.chosenWeight > 0 ? kept.chosen / kept.chosenWeight : null,
    rejected_repeated: kept.rejectedWeight > 0 ? kept.repeated / kept.rejectedWeight : null,
  };
}

/** Adds one choice's kept flags: its chosen stay's, or the mean over its rejected stays. */
function countKept(
  choice: LoggedChoice,
  kept: { chosen: number; chosenWeight: number; repeated: number; rejectedWeight: number },
): void {
  const flags = choice.kept as ArrayLike<boolean>;
  const w = choice.weight;
  if (choice.chosen !== null) {
    kept.chosenWeight += w;
    if (flags[choice.chosen]) kept.chosen += w;
    return;
  }
  let repeated = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i]) repeated++;
  // The share first: w × 1 is exactly w, so the mean of shares all 1 is exactly 1.
  kept.repeated += w * (repeated / flags.length);
  kept.rejectedWeight += w;
}
