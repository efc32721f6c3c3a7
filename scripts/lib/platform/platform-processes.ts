// What every way of starting a platform from a script shares (the fresh platform of the bench,
// traffic and scenario on the shared servers, with built JavaScript; the chaos run's and the
// drill's on servers of their own, under a supervisor, with tsx): the processes, the log line
// each writes once ready and the field with its port, the environment they get, the seeding of
// a new database, and reading their JSON log lines.
import type { Readable } from 'node:stream';

import { ensurePlatform, type PlatformState } from '@predictq/bootstrap';
import type { Db } from '@predictq/db';
import { createLogger } from '@predictq/logging';

export interface ProcessKind {
  /** The entry point without its extension: .ts under tsx, .js in a build. */
  entry: string;
  /** The message of the log line that says it is ready. */
  ready: string;
  /** The field of that line with the port it bound (0 asked for a free one). */
  portField: string;
  /** The variable of the port it serves on. */
  portVariable: string;
}

export const PLATFORM_PROCESSES = {
  api: {
    entry: 'apps/api/src/main',
    ready: 'api listening',
    portField: 'port',
    portVariable: 'PORT',
  },
  worker: {
    entry: 'apps/worker/src/main',
    ready: 'inference worker started',
    portField: 'metricsPort',
    portVariable: 'WORKER_METRICS_PORT',
  },
} as const satisfies Record<string, ProcessKind>;

/**
 * The environment of a platform's processes: only what the platform reads, so that a shell's own
 * DATABASE_URL or tuning never leaks in. The database is seeded beforehand (BOOTSTRAP false).
 */
export function platformEnv(options: {
  nodeEnv: 'development' | 'production';
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  modelDir: string;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NODE_ENV: options.nodeEnv,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.queuePrefix,
    MODEL_DIR: options.modelDir,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    BOOTSTRAP: 'false',
  };
}

/** Seeds a migrated database like a first start (catalogue, baseline model), quietly. */
export function seedPlatform(db: Db, modelDir: string, seed: number): Promise<PlatformState> {
  return ensurePlatform({
    db,
    modelDir,
    seed,
    logger: createLogger({ service: 'platform', level: 'warn', format: 'json' }),
  });
}

/**
 * Calls `listener` with each JSON line of `stream` (a process's log); `other` gets the lines that
 * are not JSON. Lines split across chunks are joined first.
 */
export function readJsonLines(
  stream: Readable,
  listener: (line: Record<string, unknown>) => void,
  other: (line: string) => void = () => undefined,
): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) {
        other(line);
        continue;
      }
      try {
        listener(JSON.parse(line) as Record<string, unknown>);
      } catch {
        other(line);
      }
    }
  });
}
