// Evaluation metrics for a binary ranker, computed the textbook way so that a test (or a
// reader) can check them by hand.
import { z } from 'zod';

/** Probabilities are clipped to [EPS, 1 - EPS] for the log-loss, as scikit-learn does. */
export const LOG_LOSS_EPS = 1e-15;

export const metricsSchema = z.object({
  rows: z.number().int().min(1),
  positives: z.number().int().min(0),
  /** Area under the ROC curve; null when the rows hold only one class (it is undefined). */
  auc: z.number().min(0).max(1).nullable(),
  accuracy: z.number().min(0).max(1),
  precision: z.number().min(0).max(1),
  recall: z.number().min(0).max(1),
  f1: z.number().min(0).max(1),
  log_loss: z.number().min(0),
  /** A row is predicted positive when its score is >= threshold. */
  threshold: z.number(),
});

export type Metrics = z.infer<typeof metricsSchema>;

/**
 * Metrics of `scores` (probabilities) against 0/1 `labels`.
 * - auc: rank-based (Mann–Whitney U / (P·N)); tied scores get their average rank, so a tie
 *   between a positive and a negative counts one half. null with a single class.
 * - precision, recall and f1 are 0 when their denominator is 0.
 * - log_loss: mean binary cross-entropy with probabilities clipped by LOG_LOSS_EPS.
 */
export function evaluate(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold = 0.5,
): Metrics {
  const rows = scores.length;
  if (labels.length !== rows) {
    throw new RangeError(`scores has ${rows} rows but labels has ${labels.length}`);
  }
  if (rows === 0) throw new RangeError('cannot evaluate zero rows');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const score = scores[i] as number;
    const label = labels[i] as number;
    if (!(score >= 0 && score <= 1)) throw new RangeError(`score ${i} is ${score}, not in [0, 1]`);
    if (label !== 0 && label !== 1) throw new RangeError(`label ${i} is ${label}, not 0 or 1`);
    const predicted = score >= threshold;
    if (predicted && label === 1) tp++;
    else if (predicted) fp++;
    else if (label === 1) fn++;
    const p = Math.min(Math.max(score, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
    loss -= label === 1 ? Math.log(p) : Math.log(1 - p);
  }
  const positives = tp + fn;
  const tn = rows - tp - fp - fn;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = positives > 0 ? tp / positives : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    rows,
    positives,
    auc: auc(scores, labels),
    accuracy: (tp + tn) / rows,
    precision,
    recall,
    f1,
    log_loss: loss / rows,
    threshold,
  };
}

/** Rank-based AUC with average ranks for ties; null when only one class is present. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const rows = scores.length;
  const order = Array.from({ length: rows }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < rows;) {
    let end = start + 1;
    const score = scores[order[start] as number] as number;
    while (end < rows && scores[order[end] as number] === score) end++;
    // Ranks start+1 … end share their average.
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        positiveRankSum += rank;
      }
    }
    start = end;
  }
  const negatives = rows - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
