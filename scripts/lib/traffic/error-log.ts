// Error lines that a dead API cannot turn into a flood: the first error of each kind in an
// interval is written at once, the others of that kind are summarised at the interval's end.

export class ErrorLog {
  /** kind -> errors of that kind not written since the last flush. */
  private readonly suppressed = new Map<string, number>();
  /** Kinds written since the last flush. */
  private readonly written = new Set<string>();
  private windowStarted: number;

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windowStarted = now();
  }

  /** One error line; `kind` groups errors for the summary (e.g. `submit: ECONNREFUSED`). */
  record(kind: string, message: string): void {
    if (this.now() - this.windowStarted >= this.intervalMs) this.flush();
    if (this.written.has(kind)) {
      this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
      return;
    }
    this.written.add(kind);
    this.write(`error: ${message}`);
  }

  /** Writes the summaries of the interval that ends now. */
  flush(): void {
    const seconds = Math.max(1, Math.round((this.now() - this.windowStarted) / 1000));
    for (const [kind, count] of this.suppressed) {
      this.write(`error: ${kind} ×${count} more in the last ${seconds} s`);
    }
    this.suppressed.clear();
    this.written.clear();
    this.windowStarted = this.now();
  }
}
