// A whole platform on servers of its own, for the chaos run and the recovery drill: a Redis and a
// PostgreSQL started here (so that they can be taken away), a migrated and seeded database, and
// the API and workers (with tsx) under a supervisor that restarts them when they die. What it
// shares with the fresh platform of the bench and the scenario is in platform-processes.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createDatabase, type Database, runMigrations } from '@predictq/db';

import { freePort } from '../local-servers/free-port';
import { LocalPostgres } from '../local-servers/postgres-server';
import { LocalRedis } from '../local-servers/redis-server';
import { PLATFORM_PROCESSES, platformEnv, seedPlatform } from '../platform/platform-processes';
import { SupervisedProcess } from './supervised-process';

export interface OwnPlatform {
  redis: LocalRedis;
  postgres: LocalPostgres;
  /** A small pool of the script's own on the platform's database. */
  database: Database;
  apiUrl: string;
  queuePrefix: string;
  api: SupervisedProcess;
  workers: SupervisedProcess[];
  /** Starts the processes and waits until they are ready. */
  start(what?: { api?: boolean; workers?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function createOwnPlatform(options: {
  runId: string;
  workers: number;
  /** Variables of every process (tuning, failpoints). */
  env: Record<string, string>;
  /** Variables of the API only. */
  apiEnv?: Record<string, string>;
}): Promise<OwnPlatform> {
  const [redis, postgres] = await Promise.all([LocalRedis.start(), LocalPostgres.start()]);
  const modelDir = await mkdtemp(path.join(os.tmpdir(), 'predictq-own-models-'));
  await postgres.query('CREATE DATABASE predictq');
  const databaseUrl = postgres.url('predictq');
  const database = createDatabase({ url: databaseUrl, poolSize: 2 });
  await runMigrations(database.pool);
  await seedPlatform(database.db, modelDir, 42);

  const apiPort = await freePort();
  const queuePrefix = `own-${options.runId}`;
  const common = {
    ...platformEnv({
      nodeEnv: 'development',
      databaseUrl,
      redisUrl: redis.url,
      queuePrefix,
      modelDir,
    }),
    ...options.env,
  };
  const { api: apiKind, worker: workerKind } = PLATFORM_PROCESSES;
  const api = new SupervisedProcess(
    'api',
    `${apiKind.entry}.ts`,
    () => ({ ...common, [apiKind.portVariable]: String(apiPort), ...options.apiEnv }),
    500,
  );
  const workers = Array.from(
    { length: options.workers },
    (_, i) =>
      new SupervisedProcess(
        `worker-${i + 1}`,
        `${workerKind.entry}.ts`,
        () => ({ ...common, [workerKind.portVariable]: '0' }),
        1_000,
      ),
  );

  return {
    redis,
    postgres,
    database,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    queuePrefix,
    api,
    workers,
    start: async (what = { api: true, workers: true }) => {
      const starting = [...(what.api ? [api] : []), ...(what.workers ? workers : [])];
      const ready = Promise.all(
        starting.map((p) =>
          p.waitForLine(
            (l) => l.message === (p === api ? apiKind.ready : workerKind.ready),
            90_000,
          ),
        ),
      );
      for (const p of starting) p.start();
      await ready;
    },
    stop: async () => {
      await Promise.all([api, ...workers].map((p) => p.stop()));
      await database.close().catch(() => undefined);
      await Promise.all([redis.destroy(), postgres.destroy()]);
      await rm(modelDir, { recursive: true, force: true });
    },
  };
}
