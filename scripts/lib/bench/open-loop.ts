// Open loop: sessions start at a fixed rate on a timetable, whatever the platform answers, and
// each one's latency counts from its scheduled start, so a platform (or a load generator) that
// falls behind shows it in the figures instead of slowing the arrivals down (no coordinated
// omission). At most `maxInFlight` sessions run at once; a session due beyond that is dropped
// and counted, as is one started late.
import { runSession } from './bench-session';
import { WindowStats } from './bench-stats';
import type { LoadContext } from './load-context';
import {
  drain,
  pause,
  timeline,
  type WindowHooks,
  type WindowResult,
  type WindowTiming,
} from './load-window';
import { dueCount, LATE_MS, scheduledBefore, scheduledOffsetMs } from './schedule';

export async function runOpenLoop(
  ctx: LoadContext,
  rate: number,
  maxInFlight: number,
  timing: WindowTiming,
  hooks: WindowHooks,
): Promise<WindowResult> {
  const warmup = new WindowStats();
  const measured = new WindowStats();
  const total = scheduledBefore(timing.warmupMs + timing.durationMs, rate);
  const running = new Set<Promise<void>>();
  const { done } = timeline(timing, hooks, ctx.stop);
  const t0 = performance.now();

  const start = (index: number) => {
    const offset = scheduledOffsetMs(index, rate);
    const stats = offset < timing.warmupMs ? warmup : measured;
    // Every scheduled session draws its plan, started or not: session k is the same for a seed.
    const { plan, client } = ctx.next();
    if (running.size >= maxInFlight) {
      stats.sessions.dropped += 1;
      return;
    }
    const scheduled = t0 + offset;
    const lag = performance.now() - scheduled;
    stats.record('startLag', lag);
    if (lag > LATE_MS) stats.sessions.late += 1;
    const session = runSession(client, plan, ctx.poll, scheduled, stats).finally(() =>
      running.delete(session),
    );
    running.add(session);
  };

  for (let index = 0; index < total && !ctx.stop.aborted;) {
    const due = Math.min(total, dueCount(performance.now() - t0, rate));
    for (; index < due; index++) start(index);
    if (index < total)
      await pause(t0 + scheduledOffsetMs(index, rate) - performance.now(), ctx.stop);
  }
  const seconds = await done;
  await drain(running, timing.drainMs, [warmup, measured]);
  return { stats: measured, seconds };
}
