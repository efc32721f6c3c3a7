// The benchmark's command line: the load (closed loop, --rate, --ramp), the target (a running
// platform, or --start / --compare for fresh ones), and the report.
import { Command, InvalidArgumentError, Option } from 'commander';

import { decimal, integer, parseOrExit, seed } from '../cli';
import {
  addPlatformOptions,
  checkPlatformOptions,
  type PlatformCliOptions,
} from '../platform/platform-options';
import { parsePlatformConfig, type PlatformConfig } from '../platform/platform-config';
import type { PollMode } from './bench-session';
import type { LoadSpec } from './measure';
import { parseRamp } from './schedule';

export interface BenchOptions {
  load: LoadSpec;
  platform: PlatformCliOptions;
  url: string;
  databaseUrl: string;
  redisUrl: string;
  apiPids?: number[];
  workerPids?: number[];
  compare?: { texts: [string, string]; configs: [PlatformConfig, PlatformConfig] };
  rounds: number;
  json: string;
}

const pid = (value: string, previous: number[] = []) => [...previous, integer(1, 2 ** 22)(value)];

function program(): Command {
  const command = new Command('bench')
    .description('Measure predictq as a client sees it: latency, throughput and CPU per process.')
    .option(
      '--url <url>',
      'the API of a running platform (env URL)',
      process.env.URL ?? 'http://localhost:8000',
    )
    .option(
      '--database-url <url>',
      "the running platform's database (env DATABASE_URL), to find its processes",
      process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/predictq',
    )
    .option(
      '--redis-url <url>',
      "the running platform's Redis (env REDIS_URL)",
      process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    )
    .option(
      '--api-pid <pid>',
      'an API process (repeatable; default: found from its database connections)',
      pid,
    )
    .option(
      '--worker-pid <pid>',
      'a worker process (repeatable; default: found from its database connections)',
      pid,
    )
    .option('-c, --clients <n>', 'closed loop: concurrent clients', integer(1, 10_000), 64)
    .option('--rate <n>', 'open loop: sessions started per second', decimal(0.1, 100_000))
    .option(
      '--ramp <from:to:step>',
      'open loop, rate stepped up: the highest rate under --target-p99',
      parseRamp,
    )
    .option(
      '--target-p99 <ms>',
      'ramp: client p99 (submit → result in hand) to stay under',
      decimal(1, 600_000),
      500,
    )
    .option('--step-duration <s>', 'ramp: measured seconds per step', decimal(0.5, 3_600), 10)
    .option(
      '--max-in-flight <n>',
      'open loop: sessions running at once at most (more are dropped)',
      integer(1, 100_000),
      1000,
    )
    .option('-d, --duration <s>', 'measured seconds', decimal(0.5, 86_400), 20)
    .option('-w, --warmup <s>', 'seconds run before measuring', decimal(0, 3_600), 5)
    .option(
      '--drain <s>',
      'after the window, how long sessions in flight may finish',
      decimal(0, 600),
      30,
    )
    .addOption(
      new Option(
        '--poll <mode>',
        'long: GET ?wait= until done; short: GET with a 5-100 ms backoff; wait: the submit itself waits (Prefer: wait), then long polls if it has not ended; stream: the server-sent events until the terminal one',
      )
        .choices(['long', 'short', 'wait', 'stream'])
        .default('long'),
    )
    .option('--seed <n>', 'seed of the simulated requests', seed, 1)
    .option('--timeout <ms>', 'timeout of each HTTP request', integer(1, 600_000), 30_000)
    .option(
      '--compare <configs...>',
      'two configurations, A and B, run alternately on fresh platforms (implies --start)',
    )
    .option('--rounds <n>', 'compare: rounds (each runs A, then B)', integer(1, 100), 3)
    .option('--json <file>', 'where to write the report', 'bench-results.json')
    .exitOverride();
  return addPlatformOptions(command, { apis: true, fill: true });
}

function check(command: Command): BenchOptions {
  const o = command.opts();
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';
  if (o.compare) {
    if ((o.compare as string[]).length !== 2)
      throw new InvalidArgumentError('--compare takes two configurations, A and B');
    if (o.ramp)
      throw new InvalidArgumentError('--compare runs a closed loop or --rate, not --ramp');
    o.start = true;
  }
  const platform = checkPlatformOptions(command);
  if (platform.start) {
    for (const name of ['url', 'databaseUrl', 'redisUrl', 'apiPid', 'workerPid']) {
      if (given(name))
        throw new InvalidArgumentError(
          `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} names a running platform: not with --start`,
        );
    }
  }
  if (o.rate !== undefined && o.ramp) throw new InvalidArgumentError('--rate or --ramp, not both');
  const mode = o.ramp ? 'ramp' : o.rate !== undefined ? 'open' : 'closed';
  if (mode !== 'closed' && given('clients'))
    throw new InvalidArgumentError('--clients is for the closed loop, not with --rate or --ramp');
  const texts = o.compare as [string, string] | undefined;
  return {
    load: {
      mode,
      clients: o.clients as number,
      rate: (o.rate as number | undefined) ?? 0,
      ramp: (o.ramp as number[] | undefined) ?? [],
      targetP99Ms: o.targetP99 as number,
      maxInFlight: o.maxInFlight as number,
      warmupMs: (o.warmup as number) * 1000,
      durationMs: (o.duration as number) * 1000,
      stepDurationMs: (o.stepDuration as number) * 1000,
      drainMs: (o.drain as number) * 1000,
      seed: o.seed as number,
      poll: o.poll as PollMode,
      timeoutMs: o.timeout as number,
    },
    platform,
    url: o.url as string,
    databaseUrl: o.databaseUrl as string,
    redisUrl: o.redisUrl as string,
    apiPids: o.apiPid as number[] | undefined,
    workerPids: o.workerPid as number[] | undefined,
    compare: texts && {
      texts,
      configs: [parsePlatformConfig(texts[0]), parsePlatformConfig(texts[1])],
    },
    rounds: o.rounds as number,
    json: o.json as string,
  };
}

/** Parses argv; on bad options prints why and exits with USAGE_ERROR (help exits 0). */
export function parseBenchOptions(argv: readonly string[] = process.argv): BenchOptions {
  const command = program();
  return parseOrExit(command, argv, () => check(command));
}
