// A small shutdown registry run once on SIGTERM/SIGINT: steps run in order (stop accepting,
// finish work in hand, close connections) under one deadline; a forced exit uses 128+signal.
import type { Logger } from '@predictq/logging';
import { errorMessage } from '@predictq/logging';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownOptions {
  logger: Logger;
  /** Milliseconds the whole sequence may take before the process is forced out. */
  deadlineMs: number;
  exit?: (code: number) => void;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

export class ShutdownRegistry {
  private readonly steps: ShutdownStep[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly options: ShutdownOptions) {}

  /** Steps run in the order they were added. */
  add(name: string, run: ShutdownStep['run']): this {
    this.steps.push({ name, run });
    return this;
  }

  /** Installs the signal handlers; a second signal while shutting down forces the exit. */
  listen(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): void {
    for (const signal of signals) {
      process.on(signal, () => {
        if (this.running) {
          this.options.logger.warn('second signal: forcing exit', { signal });
          this.exit(128 + (SIGNAL_NUMBERS[signal] ?? 1));
          return;
        }
        void this.shutdown(signal);
      });
    }
  }

  /**
   * Runs every step once; later calls return the same promise. The exit code is 0 (1 when a step
   * failed), or `exitCode` when given (a shutdown caused by an error).
   */
  shutdown(reason: string, exitCode?: number): Promise<void> {
    this.running ??= this.runSteps(reason, exitCode);
    return this.running;
  }

  private async runSteps(reason: string, exitCode: number | undefined): Promise<void> {
    const { logger, deadlineMs } = this.options;
    logger.info('shutting down', { reason, deadlineMs });
    const timer = setTimeout(() => {
      logger.error('shutdown deadline passed: forcing exit', { deadlineMs });
      this.exit(128 + (SIGNAL_NUMBERS[reason] ?? 1));
    }, deadlineMs);
    timer.unref();
    let failed = false;
    for (const step of this.steps) {
      try {
        await step.run();
        logger.debug('shutdown step done', { step: step.name });
      } catch (error) {
        failed = true;
        logger.error('shutdown step failed', { step: step.name, error: errorMessage(error) });
      }
    }
    clearTimeout(timer);
    logger.info('shutdown complete', { reason });
    this.exit(exitCode ?? (failed ? 1 : 0));
  }

  private exit(code: number): void {
    (this.options.exit ?? process.exit)(code);
  }
}
