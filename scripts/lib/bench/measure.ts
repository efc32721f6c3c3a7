// One measurement against a platform: the per-process monitor around the load of the chosen
// mode (closed loop, open loop, or a ramp of open-loop steps), and the figures of each window.
import { discoverServers } from '../proc/process-discovery';
import { type ProcessGroup, ProcessMonitor } from '../proc/process-monitor';
import { staticGroup } from '../proc/process-discovery';
import type { PollMode } from './bench-session';
import { runClosedLoop } from './closed-loop';
import { LoadContext } from './load-context';
import type { WindowHooks, WindowResult } from './load-window';
import { runOpenLoop } from './open-loop';
import { buildRunResult, type RunResult } from './run-result';
import { analyzeWithoutAutovacuum } from './table-statistics';

export interface BenchTarget {
  apiUrls: string[];
  databaseUrl: string;
  redisUrl: string;
  /** Known when the bench started them or they were given; otherwise found from the database. */
  apiPids?: number[];
  workerPids?: number[];
}

export interface LoadSpec {
  mode: 'closed' | 'open' | 'ramp';
  clients: number;
  rate: number;
  ramp: number[];
  targetP99Ms: number;
  maxInFlight: number;
  warmupMs: number;
  durationMs: number;
  stepDurationMs: number;
  drainMs: number;
  seed: number;
  poll: PollMode;
  timeoutMs: number;
}

export interface RampStep {
  rate: number;
  passed: boolean;
  result: RunResult;
}

export type Measurement =
  | { mode: 'closed' | 'open'; result: RunResult; notes: string[] }
  | { mode: 'ramp'; steps: RampStep[]; highestRate: number | null; notes: string[] };

async function processGroups(target: BenchTarget) {
  const servers = await discoverServers(target.databaseUrl, target.redisUrl);
  const platformGroup = (name: 'api' | 'worker', pids: number[] | undefined): ProcessGroup =>
    pids
      ? staticGroup(name, `${name} process(es) ${pids.join(', ')}`, pids)
      : servers.byApplicationName(
          `predictq-${name}`,
          `the processes holding the database's predictq-${name} connections`,
        );
  const groups = [
    platformGroup('api', target.apiPids),
    platformGroup('worker', target.workerPids),
    ...servers.groups,
    staticGroup('loadGenerator', `this process (${process.pid})`, [process.pid]),
  ];
  return { groups, notes: servers.notes, close: () => servers.close() };
}

/** A step passes when client p99 stays under the target and every session completed. */
export function stepPassed(result: RunResult, targetP99Ms: number): boolean {
  const s = result.sessions;
  const p99 = result.latencyMs.resultInHand.p99;
  return (
    s.completed > 0 &&
    p99 <= targetP99Ms &&
    s.dropped + s.errored + s.unfinished + s.predictionFailed === 0
  );
}

export async function measure(
  target: BenchTarget,
  load: LoadSpec,
  stop: AbortSignal,
  log: (line: string) => void,
): Promise<Measurement> {
  const { groups, notes, close } = await processGroups(target);
  const monitor = new ProcessMonitor(groups);
  const connections = load.mode === 'closed' ? load.clients : load.maxInFlight;
  const ctx = await LoadContext.create(target.apiUrls, { ...load, connections }, stop);
  let usage: Awaited<ReturnType<ProcessMonitor['mark']>> = [];
  const hooks: WindowHooks = {
    opened: async () => {
      const note = await analyzeWithoutAutovacuum(target.databaseUrl);
      if (note && !notes.includes(note)) notes.push(note);
      await monitor.mark();
    },
    closed: async () => {
      usage = await monitor.mark();
      for (const group of usage.filter((g) => g.pids.length === 0)) {
        const note = `no ${group.name} process found: its figures are 0 (give --${group.name}-pid?)`;
        if (['api', 'worker'].includes(group.name) && !notes.includes(note)) notes.push(note);
      }
    },
  };
  const timing = (warmupMs: number, durationMs: number) => ({
    warmupMs,
    durationMs,
    drainMs: load.drainMs,
  });
  const result = (window: WindowResult) => buildRunResult(window, usage);
  await monitor.start();
  try {
    if (load.mode === 'closed') {
      return {
        mode: 'closed',
        result: result(
          await runClosedLoop(ctx, load.clients, timing(load.warmupMs, load.durationMs), hooks),
        ),
        notes,
      };
    }
    if (load.mode === 'open') {
      const window = await runOpenLoop(
        ctx,
        load.rate,
        load.maxInFlight,
        timing(load.warmupMs, load.durationMs),
        hooks,
      );
      return { mode: 'open', result: result(window), notes };
    }
    const steps: RampStep[] = [];
    for (const rate of load.ramp) {
      if (stop.aborted) break;
      const warmup = steps.length === 0 ? load.warmupMs : 0;
      const step = result(
        await runOpenLoop(ctx, rate, load.maxInFlight, timing(warmup, load.stepDurationMs), hooks),
      );
      const passed = stepPassed(step, load.targetP99Ms);
      steps.push({ rate, passed, result: step });
      log(
        `  ${String(rate).padStart(6)}/s: p99 ${step.latencyMs.resultInHand.p99} ms, ${step.throughput.sessionsPerSecond} sessions/s, ` +
          `${step.sessions.dropped} dropped, ${step.sessions.errored} errored: ${passed ? 'pass' : 'fail'}`,
      );
      if (!passed) break;
    }
    const highest = steps.filter((s) => s.passed).at(-1)?.rate ?? null;
    return { mode: 'ramp', steps, highestRate: highest, notes };
  } finally {
    monitor.stop();
    await ctx.close();
    await close();
  }
}
