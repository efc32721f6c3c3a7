/**
 * Rounds to cents. Generated prices, budgets and ratings are rounded when they are drawn, so
 * that a TSV file or a numeric(…, 2) column gives back exactly the same double: k / 100 is the
 * double nearest to the decimal text "k/100", which is what parsing that text returns.
 */
export function roundToCents(value: number): number {
  return Math.round(value * 100) / 100;
}
