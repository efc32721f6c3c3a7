// Drift statistics between a baseline histogram and the same bins counted over recent requests:
// the population stability index (PSI) and the Kolmogorov-Smirnov distance over the bins. Pure
// functions over counts.

/**
 * Counts added to every bin before taking proportions (additive smoothing): an empty bin on one
 * side then gives a large but finite term instead of an infinite one.
 */
export const PSI_SMOOTHING = 0.5;

function proportions(counts: readonly number[], smoothing: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0) + smoothing * counts.length;
  return counts.map((c) => (c + smoothing) / total);
}

function checkSameBins(expected: readonly number[], actual: readonly number[]): void {
  if (expected.length !== actual.length || expected.length === 0) {
    throw new RangeError(
      `the histograms must have the same, non-zero number of bins (${expected.length} and ${actual.length})`,
    );
  }
  for (const c of [...expected, ...actual]) {
    if (!(c >= 0 && Number.isFinite(c))) throw new RangeError(`a count must be >= 0, got ${c}`);
  }
}

/**
 * PSI = Σ (a_i − e_i) · ln(a_i / e_i) over the bins, with e and a the (smoothed) proportions of
 * the baseline and the window. 0 for identical shapes; by the usual rule of thumb under 0.1 is
 * stable, 0.1 to 0.25 a moderate shift, above 0.25 a major one.
 */
export function populationStabilityIndex(
  expected: readonly number[],
  actual: readonly number[],
  smoothing = PSI_SMOOTHING,
): number {
  checkSameBins(expected, actual);
  const e = proportions(expected, smoothing);
  const a = proportions(actual, smoothing);
  let psi = 0;
  for (let i = 0; i < e.length; i++) {
    const ai = a[i] as number;
    const ei = e[i] as number;
    psi += (ai - ei) * Math.log(ai / ei);
  }
  return psi;
}

/**
 * The largest gap between the two cumulative distributions at the bin edges (unsmoothed), in
 * [0, 1]: the Kolmogorov-Smirnov distance as far as the bins can see it. 0 when either side is
 * empty.
 */
export function ksDistance(expected: readonly number[], actual: readonly number[]): number {
  checkSameBins(expected, actual);
  const totalE = expected.reduce((a, b) => a + b, 0);
  const totalA = actual.reduce((a, b) => a + b, 0);
  if (totalE === 0 || totalA === 0) return 0;
  let cumE = 0;
  let cumA = 0;
  let max = 0;
  for (let i = 0; i < expected.length; i++) {
    cumE += expected[i] as number;
    cumA += actual[i] as number;
    max = Math.max(max, Math.abs(cumE / totalE - cumA / totalA));
  }
  return max;
}
