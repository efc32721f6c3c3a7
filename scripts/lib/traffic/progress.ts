// Progress while the run goes: a live bar in a terminal (sessions done, rate, errors), periodic
// plain lines otherwise (CI, pipes). Error lines go through log() so they do not tear the bar.
import { MultiBar, type SingleBar } from 'cli-progress';

import type { TrafficStats } from './stats';

export interface Progress {
  /** Writes one line (an error) above the bar, or to stderr. */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  stats: TrafficStats;
  /** Sessions in all; 0 when unbounded. */
  total: number;
  /** Between plain lines. */
  intervalMs: number;
  /** Draw the bar (stderr is a terminal). */
  tty: boolean;
}

function figures(stats: TrafficStats, startedAt: number) {
  const seconds = (performance.now() - startedAt) / 1000;
  const done = stats.sessionsEnded;
  return {
    seconds,
    done,
    rate: (done / Math.max(seconds, 0.001)).toFixed(1),
    succeeded: stats.predictions.succeeded,
    failed: stats.predictions.failed,
    errors: stats.errors,
  };
}

/** One plain progress line, e.g. `[  5.0 s] 1234 sessions (246.8/s), ...`. */
export function progressLine(stats: TrafficStats, startedAt: number, total: number): string {
  const f = figures(stats, startedAt);
  const of = total > 0 ? `/${total}` : '';
  return (
    `[${f.seconds.toFixed(1).padStart(6)} s] ${f.done}${of} sessions (${f.rate}/s), ` +
    `predictions ${f.succeeded} succeeded, ${f.failed} failed, ${f.errors} errors`
  );
}

function barProgress(options: ProgressOptions, startedAt: number): Progress {
  const head = options.total > 0 ? 'sessions [{bar}] {value}/{total}' : 'sessions {value}';
  const multi = new MultiBar({
    format: `${head} | {rate}/s | {errors} errors | {duration_formatted}`,
    hideCursor: true,
    clearOnComplete: false,
    barsize: 25,
    fps: 5,
  });
  const payload = () => figures(options.stats, startedAt);
  const bar: SingleBar = multi.create(options.total, 0, payload());
  const timer = setInterval(() => bar.update(options.stats.sessionsEnded, payload()), 200);
  return {
    log: (line) => multi.log(`${line}\n`),
    stop: () => {
      clearInterval(timer);
      bar.update(options.stats.sessionsEnded, payload());
      multi.stop();
    },
  };
}

function lineProgress(options: ProgressOptions, startedAt: number): Progress {
  const timer = setInterval(
    () => console.log(progressLine(options.stats, startedAt, options.total)),
    options.intervalMs,
  );
  return {
    log: (line) => console.error(line),
    stop: () => clearInterval(timer),
  };
}

export function startProgress(options: ProgressOptions): Progress {
  const startedAt = performance.now();
  return options.tty ? barProgress(options, startedAt) : lineProgress(options, startedAt);
}
