// Recent feedback counts more: drift is about the present. A row's weight halves with every
// half-life of age, the age measured back from the newest feedback of the training set rather
// than from the clock, so that the same data always gives the same weights (and the same model
// bytes for a seed) however late the run starts.

/** 0.5^(age / half-life) for each time, age from the newest; all 1 when halfLifeHours is 0. */
export function recencyWeights(times: readonly Date[], halfLifeHours: number): number[] {
  if (!(halfLifeHours >= 0 && Number.isFinite(halfLifeHours))) {
    throw new RangeError(`halfLifeHours must be a finite number >= 0, got ${halfLifeHours}`);
  }
  if (halfLifeHours === 0) return times.map(() => 1);
  const newest = times.reduce((latest, t) => Math.max(latest, t.getTime()), -Infinity);
  const halfLifeMs = halfLifeHours * 3_600_000;
  return times.map((t) => 0.5 ** ((newest - t.getTime()) / halfLifeMs));
}
