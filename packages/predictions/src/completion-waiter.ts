// Long polling: a request may wait for its prediction to end instead of asking again and again.
// Register before reading the prediction, so that an end announced in between is not missed.

export interface Waiting {
  /** Resolves when the prediction ended, the wait timed out, or the waiter was woken. */
  promise: Promise<void>;
  cancel(): void;
}

export class CompletionWaiter {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Requests waiting right now. */
  get size(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  wait(predictionId: string, timeoutMs: number): Waiting {
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), timeoutMs);
      done = () => {
        clearTimeout(timer);
        const set = this.waiters.get(predictionId);
        set?.delete(done);
        if (set?.size === 0) this.waiters.delete(predictionId);
        resolve();
      };
    });
    const set = this.waiters.get(predictionId) ?? new Set();
    set.add(done);
    this.waiters.set(predictionId, set);
    return { promise, cancel: done };
  }

  /** Wakes the requests waiting for these predictions. */
  notify(predictionIds: readonly string[]): void {
    for (const id of predictionIds) {
      for (const wake of [...(this.waiters.get(id) ?? [])]) wake();
    }
  }

  /** Wakes every waiting request (the listener reconnected, or the API is shutting down). */
  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
