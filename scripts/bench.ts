// npm run bench: what a client sees of predictq. Client-clock latency (the result in hand, the
// whole session, each request) next to the server's clock; a closed loop (N clients), an open
// loop (--rate: sessions on a timetable, latency from the scheduled start) or a ramp of rates;
// CPU and memory per process from /proc. Against a running platform, or a fresh one (--start),
// or two configurations alternately (--compare). Writes every figure as JSON (--json).
// Exit codes: 0 the report is out and sessions completed; 1 none completed or a failure;
// 2 bad arguments; 130 interrupted (the platform it started is removed first).
import { parseBenchOptions, type BenchOptions } from './lib/bench/bench-options';
import {
  comparison,
  DEFINITIONS,
  describeLoad,
  formatMeasurement,
  platformInfo,
  type RoundRecord,
  writeReport,
} from './lib/bench/bench-report';
import { formatComparison } from './lib/bench/compare';
import { gitInfo, machineInfo } from './lib/bench/environment-info';
import { measure, type Measurement } from './lib/bench/measure';
import { type StartedPlatform, withPlatform } from './lib/platform/platform';
import { mergeConfig } from './lib/platform/platform-config';
import {
  Interrupted,
  interruptOnSignals,
  platformSpec,
  withWorkspace,
} from './lib/platform/platform-options';
import { ROOT, type Workspace } from './lib/platform/workspace';

const log = (line: string) => console.log(line);

function completedSessions(measurement: Measurement): number {
  if (measurement.mode !== 'ramp') return measurement.result.sessions.completed;
  return measurement.steps.reduce((sum, s) => sum + s.result.sessions.completed, 0);
}

/** Measures the platform that `platform` started, with its processes known. */
function measureStarted(
  options: BenchOptions,
  ws: Workspace,
  platform: StartedPlatform,
  signal: AbortSignal,
) {
  const target = {
    apiUrls: platform.apis.map((a) => a.url),
    databaseUrl: platform.databaseUrl,
    redisUrl: platform.redisUrl,
    apiPids: platform.apis.map((a) => a.pid),
    workerPids: platform.workers.map((w) => w.pid),
  };
  return measure(target, options.load, signal, log);
}

async function runningPlatform(options: BenchOptions) {
  log(`against the running platform at ${options.url}`);
  const interrupt = interruptOnSignals(log);
  try {
    const target = {
      apiUrls: [options.url],
      databaseUrl: options.databaseUrl,
      redisUrl: options.redisUrl,
      ...(options.apiPids ? { apiPids: options.apiPids } : {}),
      ...(options.workerPids ? { workerPids: options.workerPids } : {}),
    };
    const measurement = await measure(target, options.load, interrupt.signal, log);
    return {
      measurement,
      completed: completedSessions(measurement),
      interrupted: interrupt.signal.aborted,
    };
  } finally {
    interrupt.release();
  }
}

function startedPlatform(options: BenchOptions) {
  const spec = platformSpec(options.platform);
  return withWorkspace('bench', options.platform, log, (ws, signal) =>
    withPlatform(ws, spec, signal, async (platform) => {
      const measurement = await measureStarted(options, ws, platform, signal);
      return {
        measurement,
        startedPlatform: platformInfo(spec, platform),
        completed: completedSessions(measurement),
        interrupted: signal.aborted,
      };
    }),
  );
}

function compare(options: BenchOptions) {
  const base = platformSpec(options.platform);
  const specs = options.compare!.configs.map((config) => mergeConfig(base, config));
  return withWorkspace('bench', options.platform, log, async (ws, signal) => {
    const rounds: RoundRecord[] = [];
    for (let round = 1; round <= options.rounds && !signal.aborted; round++) {
      for (const [i, label] of (['A', 'B'] as const).entries()) {
        log(
          `\nround ${round}/${options.rounds}, configuration ${label}: ${options.compare!.texts[i] || '(base options)'}`,
        );
        const spec = specs[i]!;
        const record = await withPlatform(ws, spec, signal, async (platform) => ({
          round,
          label,
          platform: platformInfo(spec, platform),
          measurement: await measureStarted(options, ws, platform, signal),
        }));
        log(formatMeasurement(record.measurement));
        rounds.push(record);
      }
    }
    const result = comparison(options, rounds);
    return {
      comparison: result,
      completed: rounds.reduce((sum, r) => sum + completedSessions(r.measurement), 0),
      interrupted: signal.aborted,
    };
  });
}

async function main(): Promise<void> {
  const options = parseBenchOptions();
  const startedAt = new Date();
  const git = gitInfo(ROOT);
  const mode = options.compare ? 'compare' : options.load.mode;
  log(
    `bench: ${describeLoad(options.load)}${options.platform.start ? ', on a fresh platform (--start)' : ''}`,
  );
  const outcome = options.compare
    ? await compare(options)
    : options.platform.start
      ? await startedPlatform(options)
      : await runningPlatform(options);
  if (outcome.interrupted) {
    console.error('interrupted: no report written');
    process.exit(130);
  }
  const report = {
    tool: 'predictq bench',
    reportVersion: 2,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    git,
    machine: machineInfo(),
    mode,
    load: options.load,
    platform: options.platform.start
      ? { started: true, options: options.platform }
      : {
          started: false,
          url: options.url,
          databaseUrl: options.databaseUrl,
          redisUrl: options.redisUrl,
        },
    definitions: DEFINITIONS,
    ...('startedPlatform' in outcome ? { startedPlatform: outcome.startedPlatform } : {}),
    ...('measurement' in outcome ? { measurement: outcome.measurement } : {}),
    ...('comparison' in outcome ? { comparison: outcome.comparison } : {}),
  };
  log('');
  if ('measurement' in outcome) log(formatMeasurement(outcome.measurement));
  else
    log(
      formatComparison(
        options.compare!.texts,
        outcome.comparison.medians.A,
        outcome.comparison.medians.B,
      ),
    );
  await writeReport(options.json, report);
  log(
    `report written to ${options.json} (commit ${git.commit?.slice(0, 12) ?? 'unknown'}${git.dirty ? ', with uncommitted changes' : ''})`,
  );
  if (outcome.completed === 0) {
    console.error('no session completed: is the platform running?');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof Interrupted ? 130 : 1);
});
