// How long a simulated user waits: think time between steps (a beta distribution scaled to
// [tmin, tmax]), or under --no-sleep a short backoff between polls.
import { setTimeout as sleep } from 'node:timers/promises';

import type { Rng } from '@predictq/random';

export interface ThinkTime {
  alpha: number;
  beta: number;
  /** Seconds. */
  tmin: number;
  tmax: number;
}

/** The run stopped while a session was waiting or before it sent its next request. */
export class Interrupted extends Error {
  constructor() {
    super('the run stopped');
    this.name = 'Interrupted';
  }
}

/** A think time in milliseconds: tmin + (tmax - tmin) * Beta(alpha, beta). */
export function thinkTimeMs(think: ThinkTime, rng: Rng): number {
  return 1000 * (think.tmin + (think.tmax - think.tmin) * rng.beta(think.alpha, think.beta));
}

/** Under --no-sleep: 5 ms doubling to 100 ms between polls (the first poll goes at once). */
export function pollBackoffMs(poll: number): number {
  return poll === 0 ? 0 : Math.min(100, 5 * 2 ** (poll - 1));
}

/** Pause of a user whose session failed, under --no-sleep, so a dead API is not hammered. */
export const ERROR_PAUSE_MS = 200;

/** Waits `ms`; throws Interrupted as soon as `stop` is aborted. */
export async function pause(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) throw new Interrupted();
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal: stop });
  } catch {
    throw new Interrupted();
  }
}
