// npm run chaos: the fault-injection run. It starts the platform on a Redis and a PostgreSQL of
// its own (so that it can take them away), drives load through the v1 API, and meanwhile kills
// workers with SIGKILL again and again, kills Redis and restarts it empty, stops PostgreSQL for a
// while, and lets a failpoint kill the API between storing a prediction and enqueueing it. Then
// it waits for the backlog and prints the ledger: every accepted prediction must have succeeded
// with its K ranked stays (0 failed, 0 unfinished, 0 missing) and no answer may be a 500.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

import { readTravellerProfiles } from '@predictq/simulation';
import { Command } from 'commander';

import { readLedger } from './lib/chaos/ledger';
import { runLoad } from './lib/chaos/load';
import { createOwnPlatform, type OwnPlatform } from './lib/chaos/platform';
import { integer, seed, USAGE_ERROR } from './lib/cli';

interface Options {
  submissions: number;
  clients: number;
  workers: number;
  seed: number;
  postgresDown: number;
  killEvery: number;
  apiCrashes: number;
  drain: number;
  json?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function main(): Promise<void> {
  const options = new Command('chaos')
    .description('Drive load through the platform while its dependencies fail; print the ledger.')
    .option('-n, --submissions <n>', 'predictions to submit', integer(1, 10_000_000), 8_000)
    .option('-c, --clients <n>', 'concurrent clients', integer(1, 2_000), 32)
    .option('--workers <n>', 'worker processes', integer(1, 16), 2)
    .option('--seed <n>', 'seed of the requests', seed, 1)
    .option('--postgres-down <s>', 'seconds PostgreSQL stays stopped', integer(0, 600), 10)
    .option('--kill-every <s>', 'seconds between worker kills (0: none)', integer(0, 600), 4)
    .option('--api-crashes <n>', 'times the failpoint kills the API', integer(0, 100), 3)
    .option('--drain <s>', 'longest wait for the backlog after the load', integer(1, 3_600), 300)
    .option('--json <file>', 'write the report as JSON')
    .parse()
    .opts<Options>();

  const runId = randomBytes(4).toString('hex');
  log(`chaos ${runId}: starting a Redis and a PostgreSQL of its own`);
  // --api-crashes kills spread over the run's submissions (each API process counts its own).
  const crashEvery = Math.floor(options.submissions / (options.apiCrashes + 1));
  const platform = await createOwnPlatform({
    runId,
    workers: options.workers,
    env: {
      // A crashed worker's jobs are taken over within seconds, not the default 30.
      JOB_LOCK_MS: '5000',
      STALLED_INTERVAL_MS: '2000',
      SWEEP_INTERVAL_MS: '5000',
      SWEEP_AFTER_MS: '10000',
    },
    apiEnv:
      options.apiCrashes > 0
        ? { PREDICTQ_FAILPOINTS: `submit.after-insert=every:${crashEvery}` }
        : {},
  });
  try {
    await platform.start();
    log(`platform up: API at ${platform.apiUrl}, ${options.workers} workers`);
    const faults: string[] = [];
    const fault = (what: string) => {
      faults.push(`${new Date().toISOString()} ${what}`);
      log(what);
    };
    let loading = true;
    const schedule = injectFaults(platform, options, fault, () => loading);

    let lastShown = 0;
    const load = await runLoad(
      {
        url: () => platform.apiUrl,
        submissions: options.submissions,
        clients: options.clients,
        profiles: await readTravellerProfiles(),
        seed: options.seed,
        runId,
        maxSubmitMs: 120_000,
      },
      (done) => {
        if (done - lastShown >= 1_000) {
          lastShown = done;
          log(`${done} submissions`);
        }
      },
    );
    loading = false;
    await schedule;
    log(`load done: ${load.accepted.size} accepted; waiting for the backlog`);

    const ledger = await readLedger(
      platform.database,
      [...load.accepted.values()],
      options.drain * 1000,
    );
    const report = {
      runId,
      options,
      faults,
      restarts: Object.fromEntries(
        [platform.api, ...platform.workers].map((p) => [p.name, p.restarts]),
      ),
      sent: load.sent,
      answers: load.answers,
      accepted: load.accepted.size,
      abandoned: load.abandoned,
      ...ledger,
    };
    printReport(report);
    if (options.json) await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    const clean =
      ledger.failed === 0 &&
      ledger.unfinished === 0 &&
      ledger.missing === 0 &&
      ledger.incomplete === 0 &&
      (load.answers['500'] ?? 0) === 0 &&
      load.abandoned === 0;
    process.exitCode = clean ? 0 : 1;
  } finally {
    await platform.stop();
  }
}

/**
 * The faults, while the load runs: a worker killed every --kill-every seconds (in turn), Redis
 * killed at 6 s and restarted empty 2 s later, PostgreSQL stopped at 16 s for --postgres-down
 * seconds. The API's failpoint kills it on its own.
 */
async function injectFaults(
  platform: OwnPlatform,
  options: Options,
  fault: (what: string) => void,
  loading: () => boolean,
): Promise<void> {
  const started = Date.now();
  const at = (seconds: number) => sleep(Math.max(0, started + seconds * 1000 - Date.now()));
  const killer = (async () => {
    if (options.killEvery === 0) return;
    for (let k = 0; loading(); k++) {
      await sleep(options.killEvery * 1000);
      if (!loading()) break;
      const victim = platform.workers[k % platform.workers.length]!;
      fault(`kill -9 ${victim.name} (pid ${victim.pid ?? '?'})`);
      victim.kill();
    }
  })();
  await at(6);
  if (loading()) {
    fault('kill -9 Redis; it restarts empty');
    await platform.redis.kill();
    await sleep(2_000);
    await platform.redis.start();
  }
  await at(16);
  if (loading() && options.postgresDown > 0) {
    fault(`stop PostgreSQL (immediate) for ${options.postgresDown} s`);
    await platform.postgres.stop('immediate');
    await sleep(options.postgresDown * 1000);
    await platform.postgres.start();
    fault('PostgreSQL is back');
  }
  await killer;
}

function printReport(report: {
  sent: number;
  answers: Record<string, number>;
  accepted: number;
  abandoned: number;
  succeeded: number;
  failed: number;
  unfinished: number;
  missing: number;
  incomplete: number;
  drainSeconds: number;
  restarts: Record<string, number>;
}): void {
  const refused = Object.entries(report.answers)
    .filter(([status]) => status !== '202')
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  console.log(`
ledger
  sent        ${report.sent} requests (${report.accepted + report.abandoned} submissions)
  accepted    ${report.accepted} (202)
  refused     ${refused || 'none'} (retried with the same Idempotency-Key)
  abandoned   ${report.abandoned} submissions never accepted
  succeeded   ${report.succeeded}
  failed      ${report.failed}
  unfinished  ${report.unfinished}
  missing     ${report.missing} (accepted, but not in PostgreSQL)
  incomplete  ${report.incomplete} (succeeded without their K ranked stays)
  drained in  ${report.drainSeconds} s after the load
  restarts    ${Object.entries(report.restarts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(USAGE_ERROR);
});
