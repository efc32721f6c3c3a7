// The measured window shared by the load modes: warm-up, then the window, whose edges the
// per-process monitor marks, then a drain of the sessions still in flight.
import { setTimeout as sleep } from 'node:timers/promises';

import type { WindowStats } from './bench-stats';

export interface WindowHooks {
  /** The measured window begins (the per-process counters start from here). */
  opened(): Promise<void>;
  /** The measured window ends. */
  closed(): Promise<void>;
}

export interface WindowTiming {
  warmupMs: number;
  durationMs: number;
  /** How long sessions in flight at the end may still finish. */
  drainMs: number;
}

export interface WindowResult {
  stats: WindowStats;
  /** Length of the measured window. */
  seconds: number;
}

/** Sleeps `ms`, ending early (without throwing) when `stop` is aborted. */
export async function pause(ms: number, stop: AbortSignal): Promise<void> {
  await sleep(Math.max(0, ms), undefined, { signal: stop }).catch(() => undefined);
}

/**
 * Runs the window's timeline from now: warm-up, opened(), the window, closed(). `phase` tells the
 * load which part it is in; the returned promise resolves with the window's length in seconds.
 */
export function timeline(timing: WindowTiming, hooks: WindowHooks, stop: AbortSignal) {
  const state = { phase: 'warmup' as 'warmup' | 'measure' | 'done' };
  const done = (async () => {
    await pause(timing.warmupMs, stop);
    await hooks.opened();
    state.phase = 'measure';
    const opened = performance.now();
    await pause(timing.durationMs, stop);
    state.phase = 'done';
    const seconds = (performance.now() - opened) / 1000;
    await hooks.closed();
    return seconds;
  })();
  return { state, done };
}

/** Waits for `running` up to the drain time, then counts what is left as unfinished. */
export async function drain(
  running: Iterable<Promise<void>>,
  drainMs: number,
  stats: WindowStats[],
) {
  const timer = new AbortController();
  await Promise.race([
    Promise.all(running),
    sleep(drainMs, undefined, { signal: timer.signal }).catch(() => undefined),
  ]);
  timer.abort();
  for (const s of stats) s.close();
}
