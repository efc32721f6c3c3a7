// Event streams: who is watching which prediction. The API's LISTEN connection reports the
// predictions that started or ended; each watcher re-reads its prediction then (the notification
// carries only ids, and a read is what tells the status and marks a ranking shown).

export type Watch = () => void;

export class StatusWatchers {
  private readonly watchers = new Map<string, Set<Watch>>();
  private open = 0;

  /** Streams open now. */
  get size(): number {
    return this.open;
  }

  watch(predictionId: string, onChange: Watch): () => void {
    const set = this.watchers.get(predictionId) ?? new Set();
    set.add(onChange);
    this.watchers.set(predictionId, set);
    this.open += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.open -= 1;
      set.delete(onChange);
      if (set.size === 0) this.watchers.delete(predictionId);
    };
  }

  notify(predictionIds: readonly string[]): void {
    for (const id of predictionIds) for (const watch of [...(this.watchers.get(id) ?? [])]) watch();
  }

  /** The listener reconnected: notifications may have been missed, so every watcher re-reads. */
  notifyAll(): void {
    for (const set of [...this.watchers.values()]) for (const watch of [...set]) watch();
  }
}
