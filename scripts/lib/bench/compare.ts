// --compare: two platform configurations measured alternately (A B A B ...), each round on
// fresh processes, then the median of each headline figure per configuration and the ratio
// B/A, so that a machine whose speed drifts during the runs weighs on both sides alike.

/** The median of the numbers (NaN and null left out); null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const sorted = values
    .filter((v): v is number => v !== null && !Number.isNaN(v))
    .sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export type Figures = Record<string, number | null>;

/** The median of every figure over the rounds of one configuration. */
export function medians(rounds: readonly Figures[]): Figures {
  const keys = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((key) => [key, median(rounds.map((r) => r[key] ?? null))]));
}

/** B / A for each figure both have (null where A is 0 or either is missing). */
export function ratios(a: Figures, b: Figures): Figures {
  return Object.fromEntries(
    Object.keys(a).map((key) => {
      const [x, y] = [a[key], b[key]];
      const ratio =
        x === null || x === undefined || y === null || y === undefined || x === 0 ? null : y / x;
      return [key, ratio === null ? null : Math.round(ratio * 1000) / 1000];
    }),
  );
}

/** The comparison as a text table: each figure's medians and the ratio. */
export function formatComparison(labels: [string, string], a: Figures, b: Figures): string {
  const r = ratios(a, b);
  const show = (v: number | null | undefined) =>
    v === null || v === undefined ? '-' : String(Math.round(v * 100) / 100);
  const width = Math.max(...Object.keys(a).map((k) => k.length), 6);
  return [
    `  ${'median of'.padEnd(width)}  ${'A'.padStart(10)}  ${'B'.padStart(10)}  ${'B/A'.padStart(7)}`,
    ...Object.keys(a).map(
      (key) =>
        `  ${key.padEnd(width)}  ${show(a[key]).padStart(10)}  ${show(b[key]).padStart(10)}  ${show(r[key]).padStart(7)}`,
    ),
    `  A: ${labels[0] || '(base options)'}`,
    `  B: ${labels[1] || '(base options)'}`,
  ].join('\n');
}
