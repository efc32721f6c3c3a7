// npm start: the whole platform on this machine. Creates and migrates the database, seeds the
// catalogue and the baseline model when they are missing, then runs the API and the worker(s)
// as separate processes logging to this terminal. Ctrl-C (or SIGTERM) shuts them down gracefully.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { ensurePlatform } from '@predictq/bootstrap';
import { commonEnvSchema, parseEnv } from '@predictq/config';
import { openMigratedDatabase } from '@predictq/db';
import { createLogger } from '@predictq/logging';
import { Command } from 'commander';

import { integer, USAGE_ERROR } from './lib/cli';

const ROOT = path.resolve(__dirname, '..');

function run(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  // Each child has its own process group: a Ctrl-C reaches this supervisor only, which then
  // forwards exactly one signal (a second one would force the children out).
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
    detached: true,
  });
}

async function main(): Promise<void> {
  const options = new Command('start')
    .description('Run the API and the inference worker(s) on this machine.')
    .option('--workers <n>', 'worker processes', integer(0, 16), 1)
    .parse()
    .opts<{ workers: number }>();
  const config = parseEnv(commonEnvSchema);
  const logger = createLogger({
    service: 'start',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });

  const { database, created } = await openMigratedDatabase({
    url: config.DATABASE_URL,
    poolSize: 2,
  });
  if (created) logger.info('created the database');
  try {
    const state = await ensurePlatform({
      db: database.db,
      modelDir: config.MODEL_DIR,
      seed: config.SEED,
      logger,
    });
    logger.info('platform ready', state);
  } finally {
    await database.close();
  }

  const children = new Map<string, ChildProcess>();
  children.set('api', run('api', 'apps/api/src/main.ts', process.env));
  for (let i = 1; i <= options.workers; i++) {
    // Workers after the first need their own metrics port.
    const port = Number(process.env.WORKER_METRICS_PORT ?? 9464) + i - 1;
    const env = { ...process.env, WORKER_METRICS_PORT: String(port), BOOTSTRAP: 'false' };
    children.set(`worker-${i}`, run(`worker-${i}`, 'apps/worker/src/main.ts', env));
  }

  let stopping = false;
  let exitCode = 0;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping the platform', { signal });
    for (const child of children.values()) {
      if (child.exitCode === null && child.pid !== undefined) child.kill(signal);
    }
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  await Promise.all(
    [...children].map(
      ([name, child]) =>
        new Promise<void>((resolve) => {
          child.on('exit', (code, signal) => {
            if (!stopping) {
              logger.error(`${name} exited unexpectedly; stopping the others`, { code, signal });
              exitCode = 1;
              stop('SIGTERM');
            }
            if (code !== 0 && code !== null) exitCode = Math.max(exitCode, code);
            resolve();
          });
        }),
    ),
  );
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof Error && error.name === 'ConfigError' ? USAGE_ERROR : 1);
});
