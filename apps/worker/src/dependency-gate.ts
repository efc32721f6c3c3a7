// When a dependency (PostgreSQL) is down, every job the worker takes would fail for a reason that
// is not the prediction's own. The gate stops the BullMQ worker from taking jobs at the first such
// failure, probes the dependency, and lets the worker take jobs again once it answers. The jobs in
// hand are put back by the processor without counting an attempt.
import { errorMessage, type Logger } from '@predictq/logging';

export type Dependency = 'database';

export interface DependencyGateOptions {
  /** Answers when the dependency is back; throws while it is down. */
  probe: Record<Dependency, () => Promise<unknown>>;
  /** Stop taking jobs (true) or take them again (false). */
  onChange: (dependency: Dependency, down: boolean) => Promise<void> | void;
  logger: Logger;
  probeIntervalMs: number;
}

interface Outage {
  since: number;
  reason: string;
  timer: NodeJS.Timeout;
}

export class DependencyGate {
  private readonly outages = new Map<Dependency, Outage>();
  private closed = false;

  constructor(private readonly options: DependencyGateOptions) {}

  /** Dependencies down right now, with since when and why. */
  get down(): { dependency: Dependency; sinceMs: number; reason: string }[] {
    return [...this.outages].map(([dependency, outage]) => ({
      dependency,
      sinceMs: Date.now() - outage.since,
      reason: outage.reason,
    }));
  }

  /** Records that `dependency` failed; the first report of an outage pauses the worker. */
  report(dependency: Dependency, error: unknown): void {
    if (this.closed || this.outages.has(dependency)) return;
    const reason = errorMessage(error);
    this.options.logger.warn('dependency down: pausing the worker until it answers', {
      dependency,
      error: reason,
    });
    const timer = setTimeout(() => void this.probe(dependency), this.options.probeIntervalMs);
    this.outages.set(dependency, { since: Date.now(), reason, timer });
    void this.change(dependency, true);
  }

  /** Stops probing (shutdown). */
  close(): void {
    this.closed = true;
    for (const outage of this.outages.values()) clearTimeout(outage.timer);
    this.outages.clear();
  }

  private async probe(dependency: Dependency): Promise<void> {
    const outage = this.outages.get(dependency);
    if (!outage || this.closed) return;
    try {
      await this.options.probe[dependency]();
    } catch (error) {
      outage.reason = errorMessage(error);
      outage.timer = setTimeout(() => void this.probe(dependency), this.options.probeIntervalMs);
      return;
    }
    this.outages.delete(dependency);
    this.options.logger.info('dependency answers again: resuming the worker', {
      dependency,
      downForMs: Date.now() - outage.since,
    });
    await this.change(dependency, false);
  }

  private async change(dependency: Dependency, paused: boolean): Promise<void> {
    try {
      await this.options.onChange(dependency, paused);
    } catch (error) {
      this.options.logger.error('could not pause or resume the worker', {
        dependency,
        paused,
        error: errorMessage(error),
      });
    }
  }
}
