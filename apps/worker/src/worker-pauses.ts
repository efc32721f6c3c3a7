// The BullMQ workers stop taking jobs while any reason holds them: a dependency that is down, or a
// suspect job (one that already stalled) being scored with nothing else in hand. Pausing and
// resuming are applied one at a time, to the state the reasons ask for when each is applied.
import { errorMessage, type Logger } from '@predictq/logging';

export interface Pausable {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void;
}

export class WorkerPauses {
  private readonly holds = new Map<string, number>();
  private readonly workers: Pausable[] = [];
  private paused = false;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  add(worker: Pausable): void {
    this.workers.push(worker);
  }

  /** Why the workers take no jobs now (empty when they do). */
  get reasons(): string[] {
    return [...this.holds.keys()];
  }

  hold(reason: string): Promise<void> {
    this.holds.set(reason, (this.holds.get(reason) ?? 0) + 1);
    return this.apply();
  }

  release(reason: string): Promise<void> {
    const count = (this.holds.get(reason) ?? 0) - 1;
    if (count > 0) this.holds.set(reason, count);
    else this.holds.delete(reason);
    return this.apply();
  }

  private apply(): Promise<void> {
    this.applying = this.applying.then(async () => {
      const wanted = this.holds.size > 0;
      if (wanted === this.paused) return;
      this.paused = wanted;
      try {
        // Jobs in hand finish (or are deferred); only taking new ones stops.
        for (const worker of this.workers) {
          if (wanted) await worker.pause(true);
          else worker.resume();
        }
      } catch (error) {
        this.logger.error('could not pause or resume the workers', { error: errorMessage(error) });
      }
    });
    return this.applying;
  }
}
