// The traffic generator: simulated users who submit a prediction, poll it, read the ranking,
// decide with the labeller and give feedback, against a running predictq. Faults are counted,
// never fatal; it ends after -n sessions, --duration seconds or Ctrl-C, with a report.
// With --start it runs against a fresh platform of its own (see scripts/lib/platform), removed
// afterwards. Exit codes: 0 the report was printed; 1 no session completed (or the platform did
// not start); 2 bad arguments or inputs.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';

import { PredictqClient, type RetryEvent } from '@predictq/client';
import { readTravellerProfiles, type TravellerProfile } from '@predictq/simulation';

import { USAGE_ERROR } from './lib/cli';
import { withPlatform } from './lib/platform/platform';
import { Interrupted, platformSpec, withWorkspace } from './lib/platform/platform-options';
import { trafficApi } from './lib/traffic/api-flows';
import { ErrorLog } from './lib/traffic/error-log';
import { parseTrafficOptions, type TrafficOptions } from './lib/traffic/options';
import { type Progress, startProgress } from './lib/traffic/progress';
import {
  buildReport,
  formatReport,
  type StopReason,
  type TrafficReport,
} from './lib/traffic/report';
import { RequestLog } from './lib/traffic/request-log';
import { TrafficRunner } from './lib/traffic/runner';
import type { Step } from './lib/traffic/stats';
import { TrafficStats } from './lib/traffic/stats';

const STEP_OF: Record<string, Step> = {
  submitPrediction: 'submit',
  startInference: 'submit',
  getPrediction: 'poll',
  inferenceStatus: 'poll',
  inferenceResults: 'results',
  sendFeedback: 'feedback',
  selectLocation: 'feedback',
};

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(USAGE_ERROR);
}

async function inputs(options: TrafficOptions, runId: string) {
  let profiles: TravellerProfile[];
  try {
    profiles = await readTravellerProfiles(options.config);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const requestLog = options.logRequests
    ? await RequestLog.open(options.logRequests, options.api).catch((error: Error) =>
        fail(`--log-requests: ${error.message}`),
      )
    : undefined;
  console.log(
    `traffic ${runId}: ${options.parallel} users, ` +
      `${options.sessions > 0 ? `${options.sessions} sessions` : 'sessions until stopped'}` +
      `${options.duration > 0 ? `, at most ${options.duration} s` : ''}, ` +
      `${options.api} API at ${options.url}, seed ${options.seed}, ` +
      `${options.sleep ? `think ${options.tmin}-${options.tmax} s` : 'no sleep'}`,
  );
  return { profiles, requestLog };
}

/** Stops on -n, --duration or a signal; a second signal aborts the requests in flight. */
function stopControl(options: TrafficOptions, runner: TrafficRunner, abort: AbortController) {
  let grace: NodeJS.Timeout | undefined;
  const stop = (reason: StopReason) => {
    runner.stop(reason);
    grace ??= setTimeout(() => abort.abort(), options.grace * 1000);
  };
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (runner.stopSignal.aborted) {
      abort.abort();
      return;
    }
    console.error(
      `\n${signal}: stopping; requests in flight have ${options.grace} s to finish ` +
        `(send it again to abort them)`,
    );
    stop(signal);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const duration =
    options.duration > 0 ? setTimeout(() => stop('duration'), options.duration * 1000) : undefined;
  return () => {
    clearTimeout(grace);
    clearTimeout(duration);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}

interface ClientHooks {
  stats: TrafficStats;
  failed: (step: Step | 'session', error: unknown, note?: string) => void;
  stopping: AbortController;
  abort: AbortController;
}

/** The HTTP client: a timeout per request, retries counted and logged as failed attempts. */
function trafficClient(options: TrafficOptions, hooks: ClientHooks): PredictqClient {
  return new PredictqClient({
    baseUrl: options.url,
    timeoutMs: options.timeout,
    connections: options.parallel,
    signal: hooks.abort.signal,
    retry: {
      retries: options.retries,
      signal: hooks.stopping.signal,
      onRetry: (event: RetryEvent) => {
        hooks.stats.requests += 1;
        hooks.stats.retries += 1;
        const note = ` (retry ${event.attempt}/${options.retries} in ${event.delayMs} ms)`;
        hooks.failed(STEP_OF[event.operation] ?? 'session', event.error, note);
      },
    },
  });
}

/** Prints the report, writes it as JSON, and sets the exit code. */
async function finish(report: TrafficReport, options: TrafficOptions): Promise<void> {
  console.log(formatReport(report));
  if (options.json) {
    try {
      await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`report written to ${options.json}`);
    } catch (error) {
      console.error(`error: --json: ${(error as Error).message}`);
      process.exitCode = USAGE_ERROR;
      return;
    }
  }
  if (report.sessions.completed === 0) {
    console.error(`no session completed: is predictq running at ${options.url}?`);
    process.exitCode = 1;
  }
}

async function runTraffic(options: TrafficOptions): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const { profiles, requestLog } = await inputs(options, runId);
  const stats = new TrafficStats();
  let progress: Progress | undefined;
  const errorLog = new ErrorLog((line) => (progress ? progress.log(line) : console.error(line)));
  const failed = (step: Step | 'session', error: unknown, note = '') => {
    const failure = stats.recordFailure(error);
    errorLog.record(`${step}: ${failure.kind}`, `${step}: ${failure.message}${note}`);
  };
  // stopping: no new session, request or retry; abort: end the requests in flight.
  const stopping = new AbortController();
  const abort = new AbortController();
  // Every request in flight listens to them.
  setMaxListeners(0, stopping.signal, abort.signal);
  const client = trafficClient(options, { stats, failed, stopping, abort });
  const runner = new TrafficRunner(
    {
      api: trafficApi(options.api, client),
      profiles,
      decision: options.decision,
      startDate: options.startDate,
      think: options.sleep ? options : null,
      maxWaitMs: options.maxWait * 1000,
      keyPrefix: `traffic-${runId}`,
      stats,
      onFailure: (step, error) => failed(step, error),
      ...(requestLog ? { onSubmit: requestLog.write.bind(requestLog) } : {}),
    },
    { ...options, stopping },
  );

  const startedAt = new Date();
  const t0 = performance.now();
  progress = startProgress({
    stats,
    total: options.sessions,
    intervalMs: options.progressInterval * 1000,
    tty: process.stderr.isTTY === true,
  });
  const flushErrors = setInterval(() => errorLog.flush(), 5_000);
  const release = stopControl(options, runner, abort);
  await runner.run();
  const elapsedSeconds = (performance.now() - t0) / 1000;
  release();
  clearInterval(flushErrors);
  progress.stop();
  progress = undefined;
  errorLog.flush();
  await client.close();
  await requestLog
    ?.close()
    .catch((error: Error) => console.error(`--log-requests: ${error.message}`));

  const report = buildReport(stats, {
    runId,
    options,
    startedAt,
    endedAt: new Date(),
    elapsedSeconds,
    stoppedBy: runner.stoppedBy,
  });
  await finish(report, options);
}

async function main(): Promise<void> {
  const options = parseTrafficOptions();
  if (!options.platform.start) return runTraffic(options);
  // Ctrl-C stops the run as always (the report is printed), then the platform is removed.
  await withWorkspace('traffic', options.platform, console.error, (ws, signal) =>
    withPlatform(
      ws,
      platformSpec(options.platform),
      signal,
      (platform) => runTraffic({ ...options, url: platform.apis[0]!.url }),
      { interruptBody: false },
    ),
  );
}

main().catch((error: unknown) => {
  // Only a bug, or a platform that failed to start, gets here: sessions never throw.
  if (error instanceof Interrupted) process.exit(130);
  console.error(error);
  process.exit(1);
});
