// How long refused clients are told to wait (Retry-After). A fixed wait brings every refused
// client back at once: 2,000 clients told "1 s" return as 2,000 requests a second, and answering
// them all crowds out the work that was accepted. The pacer estimates how many clients are being
// refused (Little's law: refusals per second x the wait they were given) and spreads them so that
// they come back at about `pace` requests per second, between `minS` and `maxS` seconds.
export interface RefusalPacerOptions {
  /** Refused requests per second this process aims to see coming back. */
  pace: number;
  minS: number;
  maxS: number;
  now?: () => number;
}

export class RefusalPacer {
  private second = 0;
  private refusals = 0;
  private waitSum = 0;
  /** Smoothed estimate of the clients waiting to retry. */
  private clients = 0;
  private readonly now: () => number;

  constructor(private readonly options: RefusalPacerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The Retry-After (seconds) of one more refusal, which it counts. */
  next(): number {
    this.roll();
    const { pace, minS, maxS } = this.options;
    // This second's refusals count at once: a sudden crowd is spread from its first second.
    const clients = Math.max(this.clients, this.waitSum);
    const wait = Math.min(maxS, Math.max(minS, Math.ceil(clients / pace)));
    this.refusals += 1;
    this.waitSum += wait;
    return wait;
  }

  private roll(): void {
    const second = Math.floor(this.now() / 1000);
    if (second === this.second) return;
    const elapsed = second - this.second;
    // The last second's refusals, each asked to wait `waitSum / refusals` on average, are
    // `waitSum` client-seconds of waiting: about that many clients are waiting to come back.
    const estimate = elapsed === 1 ? this.waitSum : 0;
    this.clients = this.clients * 0.5 + estimate * 0.5;
    this.second = second;
    this.refusals = 0;
    this.waitSum = 0;
  }
}
