// The benchmark's figures as text for the terminal.
import type { LatencySummary } from '../stats';
import type { Sample } from './bench-stats';
import type { RunResult } from './run-result';

const LATENCY_ROWS: [Sample, string][] = [
  ['resultInHand', 'submit → result in hand'],
  ['session', 'session (… → feedback answered)'],
  ['submit', 'submit request'],
  ['result', 'result request (GET)'],
  ['feedback', 'feedback request'],
  ['server', 'server: created → completed'],
  ['startLag', 'start lag (open loop)'],
];

const PROCESS_ROWS: [string, string][] = [
  ['api', 'api'],
  ['worker', 'worker'],
  ['postgres', 'postgres (server)'],
  ['postgresDatabase', '  its backends for this db'],
  ['redis', 'redis'],
];

const cell = (value: number | null, width: number, digits = 1) =>
  (value === null || Number.isNaN(value) ? '-' : value.toFixed(digits)).padStart(width);
const mb = (bytes: number | null) => (bytes === null ? null : bytes / 2 ** 20);

function latencyLines(latency: Record<Sample, LatencySummary>): string[] {
  const lines = [
    `  ${'latency, ms (client clock unless said)'.padEnd(34)}  count    p50    p90    p95    p99    max`,
  ];
  for (const [sample, label] of LATENCY_ROWS) {
    const l = latency[sample];
    if (l.count === 0) continue;
    lines.push(
      `  ${label.padEnd(34)}${String(l.count).padStart(7)}${cell(l.p50, 7)}${cell(l.p90, 7)}${cell(l.p95, 7)}${cell(l.p99, 7)}${cell(l.max, 7)}`,
    );
  }
  return lines;
}

function processLines(result: RunResult): string[] {
  const lines = [
    `  ${'processes (measured window)'.padEnd(34)}  CPU s  ms/session  CPU %  peak RSS MB  peak PSS MB`,
  ];
  const row = (
    label: string,
    cpu: number,
    perSession: number | null,
    percent: number | null,
    rss: number | null,
    pss: number | null,
  ) =>
    `  ${label.padEnd(34)}${cell(cpu, 7, 2)}${cell(perSession, 12, 2)}${cell(percent, 7)}${cell(mb(rss), 13)}${cell(mb(pss), 13)}`;
  for (const [name, label] of PROCESS_ROWS) {
    const p = result.processes[name];
    if (p)
      lines.push(
        row(label, p.cpuSeconds, p.cpuMsPerSession, p.cpuPercent, p.peakRssBytes, p.peakPssBytes),
      );
  }
  const platform = result.platform;
  lines.push(
    row(
      'platform total (api..redis)',
      platform.cpuSeconds,
      platform.cpuMsPerSession,
      null,
      null,
      null,
    ),
  );
  const own = result.processes.loadGenerator;
  if (own)
    lines.push(
      row(
        'load generator (this process)',
        own.cpuSeconds,
        own.cpuMsPerSession,
        own.cpuPercent,
        own.peakRssBytes,
        own.peakPssBytes,
      ),
    );
  return lines;
}

export function formatRunResult(result: RunResult): string {
  const s = result.sessions;
  const errors = Object.entries(result.errors).map(([kind, n]) => `${kind} ×${n}`);
  const openLoop = s.dropped + s.late > 0 || result.latencyMs.startLag.count > 0;
  return [
    `  sessions     ${s.completed} completed (${result.throughput.sessionsPerSecond}/s, ` +
      `${result.throughput.requestsPerSecond} requests/s) in ${result.windowSeconds} s; ` +
      `${s.predictionFailed} prediction failed, ${s.errored} errored, ${s.unfinished} unfinished` +
      (openLoop ? `; ${s.dropped} dropped, ${s.late} late` : ''),
    `  errors       ${errors.length > 0 ? errors.join(', ') : 'none'}`,
    ...latencyLines(result.latencyMs),
    ...processLines(result),
  ].join('\n');
}
