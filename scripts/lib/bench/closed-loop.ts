// Closed loop: N clients, each running one session after another as soon as the last ended.
// It finds the throughput at a concurrency; its latency is what those N clients see, and it
// hides how long new arrivals would wait (each client waits for its own answer before it
// sends again: coordinated omission). The open loop measures that.
import { setTimeout as sleep } from 'node:timers/promises';

import { runSession } from './bench-session';
import { WindowStats } from './bench-stats';
import type { LoadContext } from './load-context';
import {
  drain,
  timeline,
  type WindowHooks,
  type WindowResult,
  type WindowTiming,
} from './load-window';

/** A client whose session failed pauses, so a refusing platform is not hammered. */
const ERROR_PAUSE_MS = 100;

export async function runClosedLoop(
  ctx: LoadContext,
  clients: number,
  timing: WindowTiming,
  hooks: WindowHooks,
): Promise<WindowResult> {
  const warmup = new WindowStats();
  const measured = new WindowStats();
  const { state, done } = timeline(timing, hooks, ctx.stop);
  const client = async () => {
    while (state.phase !== 'done' && !ctx.stop.aborted) {
      // A session counts in the window in which it started.
      const stats = state.phase === 'measure' ? measured : warmup;
      const errored = stats.sessions.errored;
      const { plan, client: api } = ctx.next();
      await runSession(api, plan, ctx.poll, performance.now(), stats);
      if (stats.sessions.errored > errored) await sleep(ERROR_PAUSE_MS);
    }
  };
  const running = Array.from({ length: clients }, client);
  const seconds = await done;
  await drain(running, timing.drainMs, [warmup, measured]);
  return { stats: measured, seconds };
}
