// The benchmark: drives a running platform (it starts nothing) with N concurrent clients for T
// seconds. Each client runs complete sessions: submit a prediction, poll until it is done, send
// feedback. Prints and writes as JSON the completed predictions per second and the
// submit-to-succeeded latency (from the server's created_at/completed_at) and the session time
// the client saw.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';

import { ApiError, PredictqClient } from '@predictq/client';
import { createRng, type Rng } from '@predictq/random';
import {
  decide,
  generateRequest,
  pickProfile,
  readTravellerProfiles,
  type TravellerProfile,
} from '@predictq/simulation';
import { Command, Option } from 'commander';

import { integer, seed, USAGE_ERROR } from './lib/cli';
import { summarize } from './lib/stats';

interface Options {
  url: string;
  clients: number;
  duration: number;
  warmup: number;
  seed: number;
  json: string;
  poll: 'long' | 'short';
}

interface Counters {
  sessions: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
  latencyMs: number[];
  sessionMs: number[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Short polls back off from 5 ms to 100 ms: quick answers at low load, bounded poll traffic at
// high load. Long polls ask the API to answer when the prediction ends (up to 10 s a request).
const pollDelay = (attempt: number) => Math.min(100, 5 * 2 ** attempt);
const LONG_POLL_SECONDS = 10;

async function session(
  poll: Options['poll'],
  client: PredictqClient,
  profiles: readonly TravellerProfile[],
  rng: Rng,
  counters: Counters | undefined,
): Promise<void> {
  const profile = pickProfile(profiles, rng);
  const request = generateRequest(profile, rng, { startDate: '2026-06-01' });
  const started = performance.now();
  const accepted = await client.submitPrediction(request);
  const wait = poll === 'long' ? LONG_POLL_SECONDS : 0;
  let prediction = await client.getPrediction(accepted.id, wait);
  for (
    let attempt = 0;
    prediction.status === 'queued' || prediction.status === 'processing';
    attempt++
  ) {
    if (poll === 'short') await sleep(pollDelay(attempt));
    prediction = await client.getPrediction(accepted.id, wait);
  }
  const seen = performance.now() - started;
  if (prediction.status !== 'succeeded' || !prediction.output) {
    if (counters) counters.failed += 1;
    return;
  }
  const shown = prediction.output.ranking;
  const decision = decide(
    profile,
    request,
    shown.map((stay) => stay.location),
    rng,
  );
  await client.sendFeedback(
    accepted.id,
    decision.index === null ? null : (shown[decision.index]?.location_id ?? null),
  );
  if (!counters) return;
  counters.sessions += 1;
  counters.succeeded += 1;
  counters.sessionMs.push(seen);
  counters.latencyMs.push(
    Date.parse(prediction.completed_at ?? prediction.created_at) -
      Date.parse(prediction.created_at),
  );
}

async function main(): Promise<void> {
  const options = new Command('bench')
    .description(
      'Drive a running predictq with concurrent clients and report throughput and latency.',
    )
    .option('--url <url>', 'the API', process.env.URL ?? 'http://localhost:8000')
    .option('-c, --clients <n>', 'concurrent clients', integer(1, 10_000), 64)
    .option('-d, --duration <s>', 'measured seconds', integer(1, 86_400), 30)
    .option('-w, --warmup <s>', 'seconds run before measuring', integer(0, 3_600), 5)
    .option('--seed <n>', 'seed of the simulated requests', seed, 1)
    .option('--json <file>', 'where to write the report', 'bench-results.json')
    .addOption(
      new Option('--poll <mode>', 'long: GET ?wait= until done; short: GET with backoff')
        .choices(['long', 'short'])
        .default('long'),
    )
    .parse()
    .opts<Options>();

  const profiles = await readTravellerProfiles();
  const client = new PredictqClient({
    baseUrl: options.url,
    connections: options.clients,
    timeoutMs: 30_000,
  });
  const counters: Counters = {
    sessions: 0,
    succeeded: 0,
    failed: 0,
    errors: {},
    latencyMs: [],
    sessionMs: [],
  };
  const warmupEnds = Date.now() + options.warmup * 1000;
  const ends = warmupEnds + options.duration * 1000;
  let measuring = false;

  console.log(
    `bench: ${options.clients} clients (${options.poll} polls), ${options.warmup} s warm-up, ${options.duration} s measured, against ${options.url}`,
  );
  const progress = setInterval(() => {
    if (measuring) {
      const elapsed = (Date.now() - warmupEnds) / 1000;
      console.log(
        `  ${elapsed.toFixed(0)} s: ${counters.sessions} sessions (${(counters.sessions / elapsed).toFixed(1)}/s)`,
      );
    }
  }, 5_000);

  const root = createRng(options.seed);
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const rng = root.fork();
      while (Date.now() < ends) {
        measuring = Date.now() >= warmupEnds;
        const target = measuring ? counters : undefined;
        try {
          await session(options.poll, client, profiles, rng, target);
        } catch (error) {
          const kind =
            error instanceof ApiError
              ? `HTTP ${error.status} ${error.code}`
              : (error as Error).name;
          counters.errors[kind] = (counters.errors[kind] ?? 0) + 1;
          await sleep(100);
        }
      }
    }),
  );
  clearInterval(progress);
  await client.close();

  const report = {
    when: new Date().toISOString(),
    url: options.url,
    clients: options.clients,
    poll: options.poll,
    durationSeconds: options.duration,
    warmupSeconds: options.warmup,
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    sessions: counters.sessions,
    predictionsSucceeded: counters.succeeded,
    predictionsFailed: counters.failed,
    errors: counters.errors,
    predictionsPerSecond: Math.round((counters.succeeded / options.duration) * 10) / 10,
    submitToSucceededMs: summarize(counters.latencyMs),
    sessionMs: summarize(counters.sessionMs),
  };
  await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (report.sessions === 0) {
    console.error(
      `no session completed (errors: ${JSON.stringify(report.errors)}): is the platform running at ${options.url}?`,
    );
    process.exit(1);
  }
  const l = report.submitToSucceededMs;
  const s = report.sessionMs;
  console.log(
    `completed predictions: ${report.predictionsSucceeded} (${report.predictionsPerSecond}/s), failed ${report.predictionsFailed}`,
  );
  console.log(
    `submit-to-succeeded latency (server): p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms`,
  );
  console.log(
    `session (submit, poll, feedback; client): p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms`,
  );
  if (Object.keys(report.errors).length > 0)
    console.log(`errors: ${JSON.stringify(report.errors)}`);
  console.log(`report written to ${options.json}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(USAGE_ERROR);
});
