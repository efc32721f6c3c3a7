// The figures of one measured window, as the JSON report holds them: sessions, throughput,
// latency on the client's clock and the server's, errors, and each process's CPU and memory.
import type { GroupUsage } from '../proc/process-monitor';
import { type LatencySummary, summarize } from '../stats';
import { SAMPLES, type Sample, type WindowStats } from './bench-stats';
import type { WindowResult } from './load-window';

export interface ProcessFigures {
  includes: string;
  pids: number[];
  cpuSeconds: number;
  /** CPU time per completed session; null when none completed. */
  cpuMsPerSession: number | null;
  /** CPU seconds per second of the window: 100 = one core busy. */
  cpuPercent: number;
  peakRssBytes: number;
  peakPssBytes: number | null;
}

/** The processes of the platform itself, whose CPU adds up to the platform's cost. */
export const PLATFORM_GROUPS = ['api', 'worker', 'postgres', 'redis'] as const;

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function buildRunResult(window: WindowResult, usage: readonly GroupUsage[]) {
  const { stats, seconds } = window;
  const completed = stats.sessions.completed;
  const perSession = (cpuSeconds: number) =>
    completed > 0 ? round((cpuSeconds * 1000) / completed, 2) : null;
  const processes: Record<string, ProcessFigures> = {};
  for (const group of usage) {
    processes[group.name] = {
      includes: group.includes,
      pids: group.pids,
      cpuSeconds: round(group.cpuSeconds, 2),
      cpuMsPerSession: perSession(group.cpuSeconds),
      cpuPercent: round((group.cpuSeconds / seconds) * 100),
      peakRssBytes: group.peakRssBytes,
      peakPssBytes: group.peakPssBytes,
    };
  }
  const platformCpu = usage
    .filter((g) => (PLATFORM_GROUPS as readonly string[]).includes(g.name))
    .reduce((sum, g) => sum + g.cpuSeconds, 0);
  return {
    windowSeconds: round(seconds, 2),
    sessions: { ...stats.sessions },
    throughput: {
      sessionsPerSecond: round(completed / seconds),
      requestsPerSecond: round(stats.requests / seconds),
    },
    latencyMs: latencies(stats),
    errors: { ...stats.errors },
    processes,
    platform: {
      includes: PLATFORM_GROUPS.filter((name) => processes[name]).join(' + '),
      cpuSeconds: round(platformCpu, 2),
      cpuMsPerSession: perSession(platformCpu),
    },
  };
}

export type RunResult = ReturnType<typeof buildRunResult>;

function latencies(stats: WindowStats): Record<Sample, LatencySummary> {
  return Object.fromEntries(SAMPLES.map((s) => [s, summarize(stats.samples[s])])) as Record<
    Sample,
    LatencySummary
  >;
}

/** A run's headline figures, the ones --compare sets side by side. */
export function headline(result: RunResult): Record<string, number | null> {
  const figures: Record<string, number | null> = {
    sessionsPerSecond: result.throughput.sessionsPerSecond,
    resultInHandP50Ms: result.latencyMs.resultInHand.p50,
    resultInHandP99Ms: result.latencyMs.resultInHand.p99,
    sessionP50Ms: result.latencyMs.session.p50,
    sessionP99Ms: result.latencyMs.session.p99,
    serverP50Ms: result.latencyMs.server.p50,
    platformCpuMsPerSession: result.platform.cpuMsPerSession,
  };
  for (const [name, p] of Object.entries(result.processes))
    figures[`${name}CpuMsPerSession`] = p.cpuMsPerSession;
  return figures;
}
