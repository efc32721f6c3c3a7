// The sequential test behind a canary's promotion: a mixture sequential probability ratio test
// (mSPRT; Robbins 1970, Johari et al. 2017, "Peeking at A/B tests") on the difference between the
// candidate's and the active model's online acceptance. Its likelihood ratio is a martingale under
// "no difference", so by Ville's inequality the chance that it EVER crosses 1/alpha is at most
// alpha: the operator and the decision loop may look after every feedback without inflating the
// false-promotion rate. Pure: the figures in, the verdict out.

export interface ArmCounts {
  /** Feedback received on this arm's predictions. */
  feedback: number;
  /** Of which a stay was chosen. */
  chosen: number;
}

export interface SequentialTestOptions {
  /** Level: the chance of a false verdict (either way) over the whole rollout is at most this. */
  alpha: number;
  /** Standard deviation of the normal mixture over the difference in acceptance (its scale). */
  mixtureSd: number;
  /** Feedback each arm needs before any verdict (the normal approximation's floor). */
  minFeedback: number;
  /** Feedback on the candidate arm after which, still inconclusive, the test gives up. */
  maxFeedback: number;
}

export type SequentialVerdict =
  'candidate_better' | 'candidate_worse' | 'inconclusive' | 'continue';

export interface SequentialResult {
  verdict: SequentialVerdict;
  /** Candidate acceptance minus active acceptance. */
  difference: number | null;
  /** log of the mixture likelihood ratio; conclusive at log(1/alpha). */
  logLikelihoodRatio: number;
  threshold: number;
  /** The always-valid (1 - alpha) confidence interval of the difference. */
  interval: [number, number] | null;
}

/**
 * log of the mSPRT statistic for a difference `theta` estimated with variance `v`, mixing over
 * N(0, tau^2): log( sqrt(v / (v + tau^2)) * exp(tau^2 theta^2 / (2 v (v + tau^2))) ).
 */
export function mixtureLogLikelihoodRatio(theta: number, v: number, tau: number): number {
  const t2 = tau * tau;
  return 0.5 * Math.log(v / (v + t2)) + (t2 * theta * theta) / (2 * v * (v + t2));
}

/**
 * The always-valid confidence interval that goes with the test (the set of differences the test
 * would not reject): theta_hat ± sqrt( v (v + tau^2) / tau^2 * (log(1/alpha^2) + log((v + tau^2)/v)) ).
 */
export function confidenceSequenceHalfWidth(v: number, tau: number, alpha: number): number {
  const t2 = tau * tau;
  return Math.sqrt(((v * (v + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
}

export function sequentialTest(
  candidate: ArmCounts,
  active: ArmCounts,
  options: SequentialTestOptions,
): SequentialResult {
  const threshold = Math.log(1 / options.alpha);
  if (candidate.feedback === 0 || active.feedback === 0) {
    return {
      verdict: 'continue',
      difference: null,
      logLikelihoodRatio: 0,
      threshold,
      interval: null,
    };
  }
  const pc = candidate.chosen / candidate.feedback;
  const pa = active.chosen / active.feedback;
  const difference = pc - pa;
  // Pooled: the variance under "no difference", what the test's validity rests on. Kept off 0
  // so that a stream of identical answers does not make a certainty of nothing.
  const pooled = (candidate.chosen + active.chosen) / (candidate.feedback + active.feedback);
  const p = Math.min(Math.max(pooled, 0.5 / (candidate.feedback + active.feedback)), 1 - 1e-6);
  const v = p * (1 - p) * (1 / candidate.feedback + 1 / active.feedback);
  const llr = mixtureLogLikelihoodRatio(difference, v, options.mixtureSd);
  const half = confidenceSequenceHalfWidth(v, options.mixtureSd, options.alpha);
  const interval: [number, number] = [difference - half, difference + half];
  const enough =
    candidate.feedback >= options.minFeedback && active.feedback >= options.minFeedback;
  let verdict: SequentialVerdict = 'continue';
  if (enough && llr >= threshold) verdict = difference > 0 ? 'candidate_better' : 'candidate_worse';
  else if (candidate.feedback >= options.maxFeedback) verdict = 'inconclusive';
  return { verdict, difference, logLikelihoodRatio: llr, threshold, interval };
}
