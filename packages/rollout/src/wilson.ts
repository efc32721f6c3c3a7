// Wilson score interval of a proportion: honest at small counts and near 0 or 1, where the
// normal interval is not.

/** The two-sided normal quantile for a confidence level (0.9, 0.95, 0.99 exactly; else approx). */
export function normalQuantile(confidence: number): number {
  const known: Record<string, number> = { '0.9': 1.6448536, '0.95': 1.959964, '0.99': 2.5758293 };
  const exact = known[String(confidence)];
  if (exact !== undefined) return exact;
  // Acklam-free approximation (Abramowitz & Stegun 26.2.23) of the upper (1 - c) / 2 quantile.
  const p = (1 - confidence) / 2;
  const t = Math.sqrt(-2 * Math.log(p));
  return (
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) /
      (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3)
  );
}

export function wilsonInterval(
  successes: number,
  trials: number,
  confidence = 0.95,
): [number, number] | null {
  if (trials <= 0) return null;
  const z = normalQuantile(confidence);
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half =
    (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
