// How fast predictions end, as this API process sees them: every process LISTENs to the ended
// notifications of the whole platform, so counting them costs nothing. Per-second buckets over
// the last minute; the ETA of a queued prediction divides what is ahead of it by this rate.
export class DrainRate {
  private readonly buckets: number[];
  private readonly stamps: number[];

  constructor(
    private readonly windowS = 60,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new Array<number>(windowS).fill(0);
    this.stamps = new Array<number>(windowS).fill(-1);
  }

  /** `count` predictions ended now. */
  record(count: number): void {
    const second = Math.floor(this.now() / 1000);
    const slot = second % this.windowS;
    if (this.stamps[slot] !== second) {
      this.stamps[slot] = second;
      this.buckets[slot] = 0;
    }
    this.buckets[slot]! += count;
  }

  /** Predictions ended per second over the last window (0 when none ended). */
  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    let total = 0;
    for (let slot = 0; slot < this.windowS; slot++) {
      if (second - this.stamps[slot]! < this.windowS) total += this.buckets[slot]!;
    }
    return total / this.windowS;
  }
}
