// The benchmark's JSON report: every figure, with the commit, the machine, the mode and the
// full configuration, so a figure can be traced and measured again.
import { writeFile } from 'node:fs/promises';

import type { PlatformSpec, StartedPlatform } from '../platform/platform';
import type { BenchOptions } from './bench-options';
import { type Figures, medians, ratios } from './compare';
import { formatRunResult } from './format-report';
import type { LoadSpec, Measurement } from './measure';
import { headline } from './run-result';

export const DEFINITIONS = {
  resultInHand:
    'client clock: from sending the submit (closed loop) or the scheduled start (open loop) to the GET that returned the ranking',
  session: 'client clock: the same start to the answer of the feedback: submit, polls and feedback',
  submit: 'client clock: each POST /v1/predictions, sent to answered',
  result: 'client clock: each GET /v1/predictions/{id} (long polls last until the prediction ends)',
  feedback: 'client clock: each POST /v1/predictions/{id}/feedback',
  server: "server clock: the prediction's created_at to its completed_at",
  startLag: 'open loop: how late the load generator started a session after its scheduled time',
  cpuMsPerSession:
    'CPU time of the process group in the measured window / sessions completed in it',
  peakRssBytes: 'highest sum of VmRSS over the group at one sample (every 500 ms)',
  peakPssBytes:
    'the same with PSS, which splits shared pages (PostgreSQL shared buffers) between processes',
};

/** One line that says what the load is. */
export function describeLoad(load: LoadSpec): string {
  const window = `${load.warmupMs / 1000} s warm-up, ${load.durationMs / 1000} s measured`;
  const polls = `${load.poll} polls`;
  if (load.mode === 'closed') return `closed loop, ${load.clients} clients (${polls}), ${window}`;
  if (load.mode === 'open') {
    return `open loop, ${load.rate} sessions/s (${polls}, at most ${load.maxInFlight} in flight), ${window}`;
  }
  return (
    `open-loop ramp ${load.ramp.join(', ')} sessions/s, ${load.stepDurationMs / 1000} s a step ` +
    `(${polls}), target p99 ${load.targetP99Ms} ms`
  );
}

export function platformInfo(spec: PlatformSpec, platform: StartedPlatform) {
  return {
    spec,
    database: platform.database,
    redisUrl: platform.redisUrl,
    queuePrefix: platform.queuePrefix,
    apis: platform.apis,
    workers: platform.workers,
    fill: platform.fill ?? null,
  };
}

export interface RoundRecord {
  round: number;
  label: 'A' | 'B';
  platform: ReturnType<typeof platformInfo>;
  measurement: Measurement;
}

export function comparison(options: BenchOptions, rounds: RoundRecord[]) {
  const figures = (label: 'A' | 'B'): Figures =>
    medians(
      rounds
        .filter((r) => r.label === label && r.measurement.mode !== 'ramp')
        .map((r) => headline((r.measurement as Extract<Measurement, { result: unknown }>).result)),
    );
  const a = figures('A');
  const b = figures('B');
  return {
    configurations: { A: options.compare!.texts[0], B: options.compare!.texts[1] },
    rounds,
    medians: { A: a, B: b },
    ratiosBOverA: ratios(a, b),
  };
}

/** The text of one measurement. */
export function formatMeasurement(measurement: Measurement): string {
  const notes = measurement.notes.map((n) => `  note: ${n}`);
  if (measurement.mode !== 'ramp')
    return [formatRunResult(measurement.result), ...notes].join('\n');
  const steps = measurement.steps.map(
    (s) => `  step ${s.rate}/s (${s.passed ? 'pass' : 'fail'}):\n${formatRunResult(s.result)}`,
  );
  const highest =
    measurement.highestRate === null
      ? 'none of the rates'
      : `${measurement.highestRate} sessions/s`;
  return [...steps, `  highest rate under the target: ${highest}`, ...notes].join('\n');
}

export async function writeReport(file: string, report: object): Promise<void> {
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
