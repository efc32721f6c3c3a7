// The worker's recovery loop: the sweeps of predictions and training runs every
// SWEEP_INTERVAL_MS, and at once when Redis is seen to have lost its data (checked every second).
// Passes never overlap: a trigger during a pass runs one more pass after it.
import { errorMessage, type Logger } from '@predictq/logging';
import type { WorkerMetrics } from '@predictq/metrics';
import { type PredictionDeps, recoverUnfinished } from '@predictq/predictions';
import type { RedisEpoch, TrainingQueue } from '@predictq/queue';
import { recoverTrainingRuns } from '@predictq/training';

export interface RecoveryLoopOptions {
  intervalMs: number;
  /** Regular passes look at work unfinished for longer than this. */
  afterMs: number;
  pageSize: number;
  epochCheckMs: number;
}

type Trigger = 'interval' | 'redis_reset';

export class RecoveryLoop {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | undefined;
  private next: Trigger | undefined;
  /** A reset pass failed (an outage): the epoch check retries it every second until it succeeds. */
  private resetPending = false;

  constructor(
    private readonly deps: PredictionDeps & {
      trainingQueue: TrainingQueue | undefined;
      epoch: RedisEpoch;
      metrics: WorkerMetrics;
      logger: Logger;
    },
    private readonly options: RecoveryLoopOptions,
  ) {}

  start(): void {
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.intervalMs, () => this.trigger('interval'));
    every(this.options.epochCheckMs, () => void this.checkEpoch());
    void this.checkEpoch();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.next = undefined;
    await this.running;
  }

  /** Starts a pass now, or right after the running one. */
  trigger(trigger: Trigger): void {
    if (this.running) {
      // A reset outranks an interval pass waiting behind the running one.
      if (this.next !== 'redis_reset') this.next = trigger;
      return;
    }
    this.running = this.pass(trigger).finally(() => {
      this.running = undefined;
      const next = this.next;
      this.next = undefined;
      if (next && this.timers.length > 0) this.trigger(next);
    });
  }

  private async checkEpoch(): Promise<void> {
    try {
      if (await this.deps.epoch.changed()) {
        this.deps.logger.warn('Redis lost its data (restarted or flushed): recovering at once');
        this.trigger('redis_reset');
      } else if (this.resetPending) {
        this.trigger('redis_reset');
      }
    } catch {
      // Redis is unreachable: nothing to compare now; the next check will tell.
    }
  }

  private async pass(trigger: Trigger): Promise<void> {
    const { logger, metrics } = this.deps;
    const reset = trigger === 'redis_reset';
    const olderThanMs = reset ? 0 : this.options.afterMs;
    const stop = metrics.sweepDuration.startTimer({ trigger });
    try {
      const predictions = await recoverUnfinished(this.deps, {
        olderThanMs,
        pageSize: this.options.pageSize,
        queueWasReset: reset,
      });
      if (predictions) {
        metrics.recovered.inc({ kind: 'prediction', action: 'reenqueued' }, predictions.reenqueued);
        metrics.recovered.inc({ kind: 'prediction', action: 'failed' }, predictions.failed);
        if (predictions.reenqueued + predictions.failed + predictions.errors > 0) {
          logger.warn('recovery sweep acted', { trigger, ...predictions });
        }
      }
      if (this.deps.trainingQueue) {
        const runs = await recoverTrainingRuns(
          { db: this.deps.db, queue: this.deps.trainingQueue, logger },
          { olderThanMs },
        );
        metrics.recovered.inc({ kind: 'training', action: 'reenqueued' }, runs.reenqueued);
        metrics.recovered.inc({ kind: 'training', action: 'failed' }, runs.failed);
      }
      // Another process held the sweep (it may be a regular pass, blind to recent work), or a
      // page failed: look again in a second (enqueueing twice is harmless).
      if (reset) this.resetPending = predictions === undefined || predictions.errors > 0;
    } catch (error) {
      logger.warn('recovery sweep failed; the next pass retries', {
        trigger,
        error: errorMessage(error),
      });
      // Lost work may be left behind: retry soon, with no age limit.
      if (reset) this.resetPending = true;
    } finally {
      stop();
    }
  }
}
