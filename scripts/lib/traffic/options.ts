// The traffic generator's command line.
import { DEFAULT_TRAVELLER_PROFILES } from '@predictq/simulation';
import { Command, Option } from 'commander';

import { decimal, integer, isoDate, parseOrExit, seed } from '../cli';
import {
  addPlatformOptions,
  checkPlatformOptions,
  type PlatformCliOptions,
} from '../platform/platform-options';

export type ApiFlavour = 'v1' | 'compat';

export interface TrafficOptions {
  url: string;
  api: ApiFlavour;
  config: string;
  parallel: number;
  /** Sessions in all; 0 = until stopped or --duration. */
  sessions: number;
  /** Seconds; 0 = no limit. */
  duration: number;
  decision: number;
  alpha: number;
  beta: number;
  tmin: number;
  tmax: number;
  sleep: boolean;
  seed: number;
  startDate: string;
  timeout: number;
  retries: number;
  maxWait: number;
  grace: number;
  json?: string;
  logRequests?: string;
  progressInterval: number;
  /** --start and its options: a fresh platform to run against. */
  platform: PlatformCliOptions;
}

const positive = decimal(Number.MIN_VALUE, 1_000);

export function trafficProgram(): Command {
  const command = new Command('traffic')
    .description(
      'Simulated users who submit a prediction, poll it, read the ranking and give feedback: ' +
        'realistic load on a running predictq, with a report.',
    )
    .option('--url <url>', 'the API (env URL)', process.env.URL ?? 'http://localhost:8000')
    .addOption(
      new Option('--api <flavour>', 'v1: the versioned API; compat: the MLprod-compatible routes')
        .choices(['v1', 'compat'])
        .default('v1'),
    )
    .option(
      '--config <profiles.tsv>',
      'traveller profiles to draw users from',
      DEFAULT_TRAVELLER_PROFILES,
    )
    .option('-p, --parallel <n>', 'simulated users at once', integer(1, 10_000), 8)
    .option(
      '-n, --sessions <n>',
      'sessions in all (0: until stopped or --duration)',
      integer(0, 1e9),
      0,
    )
    .option(
      '--duration <s>',
      'stop after this many seconds (0: no limit)',
      decimal(0, 31_536_000),
      0,
    )
    .option('-d, --decision <p>', 'probability that a user gives feedback at all', decimal(0, 1), 1)
    .option('-a, --alpha <a>', 'think time: beta distribution a', positive, 2)
    .option('-b, --beta <b>', 'think time: beta distribution b', positive, 5)
    .option('--tmin <s>', 'shortest think time, seconds', decimal(0, 3_600), 0.5)
    .option('--tmax <s>', 'longest think time, seconds', decimal(0, 3_600), 5)
    .option('--no-sleep', 'no think time; poll with a 5 ms to 100 ms backoff')
    .option('--seed <n>', 'the same seed gives the same users and requests', seed, 1)
    .option('--start-date <date>', 'first arrival date of the requests', isoDate, '2026-06-01')
    .option('--timeout <ms>', 'timeout of each HTTP request', integer(1, 600_000), 10_000)
    .option('--retries <n>', 'retries of a failed request (when safe)', integer(0, 10), 3)
    .option(
      '--max-wait <s>',
      'a user stops polling a prediction after this long',
      decimal(0.001, 86_400),
      60,
    )
    .option('--grace <s>', 'on stop, how long requests in flight may finish', decimal(0, 600), 2)
    .option('--json <file>', 'write the report as JSON')
    .option('--log-requests <file>', 'write each submitted request as a JSON line')
    .option(
      '--progress-interval <s>',
      'seconds between progress lines (not a terminal)',
      decimal(0.1, 3_600),
      5,
    )
    .exitOverride();
  return addPlatformOptions(command, { fill: true });
}

/** Parses argv; on bad options prints why and exits with USAGE_ERROR (help exits 0). */
export function parseTrafficOptions(argv: readonly string[] = process.argv): TrafficOptions {
  const program = trafficProgram();
  return parseOrExit(program, argv, () => {
    const options = program.opts<TrafficOptions>();
    if (options.tmin > options.tmax) {
      throw new Error(`--tmin (${options.tmin}) must not exceed --tmax (${options.tmax})`);
    }
    options.platform = checkPlatformOptions(program);
    if (options.platform.start && program.getOptionValueSource('url') === 'cli') {
      throw new Error('--url names a running platform: not with --start');
    }
    return options;
  });
}
