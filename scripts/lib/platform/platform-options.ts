// The command-line options that start a fresh platform, shared by the bench, the traffic
// generator and the drift scenario, and the run around it: the workspace, Ctrl-C, cleanup.
import { type Command, InvalidArgumentError, Option } from 'commander';

import { integer } from '../cli';
import type { PlatformSpec } from './platform';
import { collectEnv, parseRedisChoice, REDIS_CHOICES, type RedisChoice } from './platform-config';
import { openWorkspace, type Workspace } from './workspace';

export interface PlatformCliOptions {
  start: boolean;
  workers: number;
  apis: number;
  env: Record<string, string>;
  fill: number;
  build: boolean;
  modelDir?: string;
  redis: RedisChoice;
}

const STARTING_OPTIONS = ['workers', 'apis', 'env', 'fill', 'build', 'modelDir', 'redis'] as const;

export function addPlatformOptions(
  command: Command,
  features: { apis?: boolean; fill?: boolean } = {},
): Command {
  command
    .option(
      '--start',
      'run a fresh platform (built JavaScript, new database and Redis prefix), removed afterwards',
    )
    .option('--workers <n>', 'with --start: worker processes', integer(1, 16), 1)
    .addOption(
      new Option('--env <KEY=VALUE>', 'with --start: environment of its processes (repeatable)')
        .argParser(collectEnv)
        .default({}, 'none'),
    )
    .option(
      '--redis <which>',
      `with --start: ${REDIS_CHOICES.join(', ')} (the shared Redis, or a redis-server of its own over TCP or its Unix socket)`,
      parseRedisChoice,
      'shared' as RedisChoice,
    )
    .option('--no-build', 'with --start: run the existing dist/ instead of npm run build')
    .option(
      '--model-dir <dir>',
      'with --start: reuse this baseline model directory (default: a temporary one)',
    );
  if (features.apis) command.option('--apis <n>', 'with --start: API processes', integer(1, 16), 1);
  if (features.fill) {
    command.option(
      '--fill <n>',
      'with --start: store this many predictions first',
      integer(0, 100_000_000),
      0,
    );
  }
  return command;
}

/** Throws when an option that only means something with --start is given without it. */
export function checkPlatformOptions(command: Command): PlatformCliOptions {
  const options = command.opts<PlatformCliOptions>();
  if (!options.start) {
    const given = STARTING_OPTIONS.filter((name) => command.getOptionValueSource(name) === 'cli');
    if (given.length > 0) {
      throw new InvalidArgumentError(
        `--${given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --start`,
      );
    }
  }
  return { ...options, apis: options.apis ?? 1, fill: options.fill ?? 0 };
}

export function platformSpec(options: PlatformCliOptions): PlatformSpec {
  return {
    workers: options.workers,
    apis: options.apis,
    env: options.env,
    fill: options.fill,
    redis: options.redis,
  };
}

/** The reason of an abort by SIGINT or SIGTERM: the script exits with 130 once it has cleaned up. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

/** Aborts on the first SIGINT or SIGTERM, so the run stops and the platform is removed. */
export function interruptOnSignals(log: (line: string) => void): {
  signal: AbortSignal;
  release(): void;
} {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`${name}: still removing the platform, a moment`);
      return;
    }
    log(`\n${name}: stopping; removing the platform`);
    controller.abort(new Interrupted(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs `body` with a workspace and a signal aborted by Ctrl-C; removes the workspace afterwards,
 * keeping the process logs when `body` failed.
 */
export async function withWorkspace<T>(
  purpose: string,
  options: PlatformCliOptions,
  log: (line: string) => void,
  body: (ws: Workspace, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const interrupt = interruptOnSignals(log);
  const ws = await openWorkspace({
    purpose,
    build: options.build,
    modelDir: options.modelDir,
    log,
  });
  let failed = true;
  try {
    const result = await body(ws, interrupt.signal);
    failed = false;
    return result;
  } finally {
    await ws.close(failed && !interrupt.signal.aborted);
    interrupt.release();
  }
}
