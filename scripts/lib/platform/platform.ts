// A fresh platform for one measurement or scenario: the built JavaScript (as the Docker image
// runs it) on a new database and a new Redis key prefix. Starting creates and migrates the
// database, seeds the catalogue and the baseline model (trained once per invocation, then
// loaded from the shared model directory), fills it when asked, runs the API(s) and worker(s),
// and waits until /readyz answers 200 and every worker's /healthz is ok. stop() ends the
// processes and removes the database and exactly the prefix's keys.
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { openMigratedDatabase } from '@predictq/db';

import { fillPredictions, type FillResult } from '../fill/fill-predictions';
import { LocalRedis } from '../local-servers/redis-server';
import { BuiltProcess } from './built-process';
import { createFreshDatabase, deleteKeysWithPrefix, type FreshDatabase } from './fresh-resources';
import { expandEnv, type PlatformConfig } from './platform-config';
import {
  type ProcessKind,
  PLATFORM_PROCESSES,
  platformEnv,
  seedPlatform,
} from './platform-processes';
import type { Workspace } from './workspace';

/** What a fresh platform runs: its processes, their environment, predictions stored first. */
export type PlatformSpec = Required<Omit<PlatformConfig, 'build' | 'redis'>> &
  Pick<PlatformConfig, 'build' | 'redis'>;

export interface PlatformProcessInfo {
  name: string;
  pid: number;
  url: string;
}

export interface StartedPlatform {
  database: string;
  databaseUrl: string;
  /** The Redis its processes use: the workspace's, or its own (redis=tcp|socket). */
  redisUrl: string;
  queuePrefix: string;
  adminToken: string;
  apis: PlatformProcessInfo[];
  workers: PlatformProcessInfo[];
  fill: FillResult | undefined;
  /** Rejects when a process exits before stop(). */
  failure: Promise<never>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bootstrap(
  ws: Workspace,
  url: string,
  spec: PlatformSpec,
): Promise<FillResult | undefined> {
  const { database } = await openMigratedDatabase({ url, poolSize: 2 });
  try {
    const seed = Number(spec.env.SEED ?? 42);
    const state = await seedPlatform(database.db, ws.modelDir, seed);
    ws.log(`  catalogue ${state.catalogue}, baseline model ${state.model}`);
    if (spec.fill === 0) return undefined;
    const filled = await fillPredictions(database.pool, {
      predictions: spec.fill,
      days: 30,
      seed,
      onProgress: ws.fillProgress(spec.fill),
    });
    ws.log(`  filled ${filled.predictions} predictions in ${filled.seconds.toFixed(1)} s`);
    return filled;
  } finally {
    await database.close();
  }
}

/** Polls `url` until it answers 200 (and, for a worker, status ok). */
async function waitUntilReady(url: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    signal.throwIfAborted();
    const response = await fetch(url).catch(() => undefined);
    const body = response ? ((await response.json().catch(() => ({}))) as { status?: string }) : {};
    if (response?.status === 200 && body.status !== 'unhealthy') return;
    if (Date.now() > deadline)
      throw new Error(`${url} not ready after ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(200);
  }
}

class Launch {
  readonly processes: BuiltProcess[] = [];
  private stopping = false;

  constructor(
    private readonly ws: Workspace,
    private readonly env: Record<string, string>,
    private readonly buildDir: string,
  ) {}

  /** Runs one process of the build on a free port (0), and waits until it tells its port. */
  async run(name: string, kind: ProcessKind) {
    const child = new BuiltProcess(
      name,
      this.buildDir,
      `${kind.entry}.js`,
      { ...this.env, [kind.portVariable]: '0' },
      path.join(this.ws.logDir, `${name}-${randomBytes(3).toString('hex')}.log`),
    );
    this.processes.push(child);
    const line = await child.waitForLog(kind.ready, READY_TIMEOUT_MS);
    return { name, pid: child.pid, url: `http://127.0.0.1:${String(line[kind.portField])}` };
  }

  failure(): Promise<never> {
    return new Promise((_, reject) => {
      for (const child of this.processes) {
        void child.exited.then(({ code, signal }) => {
          if (!this.stopping) {
            reject(
              new Error(
                `${child.name} exited unexpectedly (${signal ?? `code ${code}`}); log: ${child.logFile}`,
              ),
            );
          }
        });
      }
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.processes.map((child) => child.stop(STOP_GRACE_MS)));
  }
}

function launch(
  ws: Workspace,
  spec: PlatformSpec,
  db: FreshDatabase,
  redisUrl: string,
  queuePrefix: string,
  adminToken: string,
) {
  // Only what the platform reads, set here: a shell's own DATABASE_URL or tuning must not leak
  // into a measurement. The overrides come last.
  const env = {
    ...platformEnv({
      nodeEnv: 'production',
      databaseUrl: db.url,
      redisUrl,
      queuePrefix,
      modelDir: ws.modelDir,
    }),
    ADMIN_TOKEN: adminToken,
    HOST: '127.0.0.1',
    WORKER_METRICS_HOST: '127.0.0.1',
    ...expandEnv(spec.env, db.name),
  };
  const processes = new Launch(ws, env, spec.build ?? ws.buildDir);
  const apis = Array.from({ length: spec.apis }, (_, i) =>
    processes.run(`api-${i + 1}`, PLATFORM_PROCESSES.api),
  );
  const workers = Array.from({ length: spec.workers }, (_, i) =>
    processes.run(`worker-${i + 1}`, PLATFORM_PROCESSES.worker),
  );
  return { processes, apis: Promise.all(apis), workers: Promise.all(workers) };
}

/** Starts a fresh platform; on any failure it removes what it made before rethrowing. */
export async function startPlatform(
  ws: Workspace,
  spec: PlatformSpec,
  signal: AbortSignal,
): Promise<StartedPlatform> {
  const started = performance.now();
  const db = await createFreshDatabase(ws.serverUrl, ws.databasePrefix);
  const queuePrefix = `${ws.databasePrefix.replace(/_/g, '-')}-${randomBytes(4).toString('hex')}`;
  let ownRedis: LocalRedis | undefined;
  let launched: Awaited<ReturnType<typeof launch>> | undefined;
  const teardown = async () => {
    await launched?.processes.stop();
    await db.drop();
    if (ownRedis) {
      await ownRedis.destroy();
      ws.log(`platform stopped: database ${db.name} dropped, its own redis-server stopped`);
      return;
    }
    const keys = await deleteKeysWithPrefix(ws.redisUrl, queuePrefix);
    ws.log(
      `platform stopped: database ${db.name} dropped, ${keys} Redis keys under ${queuePrefix}: deleted`,
    );
  };
  try {
    let redisUrl = ws.redisUrl;
    if (spec.redis === 'tcp' || spec.redis === 'socket') {
      ownRedis = await LocalRedis.start({ socket: spec.redis === 'socket' });
      redisUrl = spec.redis === 'socket' ? ownRedis.socketUrl : ownRedis.url;
    }
    ws.log(
      `platform: database ${db.name}, Redis prefix ${queuePrefix}: on ${redisUrl}, ${spec.apis} API, ${spec.workers} worker(s)`,
    );
    const fill = await bootstrap(ws, db.url, spec);
    signal.throwIfAborted();
    const adminToken = randomBytes(24).toString('hex');
    launched = launch(ws, spec, db, redisUrl, queuePrefix, adminToken);
    const [apis, workers] = await Promise.all([launched.apis, launched.workers]);
    await Promise.all([
      ...apis.map((api) => waitUntilReady(`${api.url}/readyz`, signal)),
      ...workers.map((worker) => waitUntilReady(`${worker.url}/healthz`, signal)),
    ]);
    ws.log(
      `platform ready in ${((performance.now() - started) / 1000).toFixed(1)} s: API ${apis.map((a) => a.url).join(', ')}`,
    );
    const failure = launched.processes.failure();
    failure.catch(() => undefined);
    return {
      database: db.name,
      databaseUrl: db.url,
      redisUrl,
      queuePrefix,
      adminToken,
      apis,
      workers,
      fill,
      failure,
      stop: teardown,
    };
  } catch (error) {
    await teardown().catch((cleanup: unknown) => ws.log(`cleanup failed: ${String(cleanup)}`));
    throw error;
  }
}

/**
 * Runs `body` against a fresh platform and stops it afterwards, whatever happens: `body`'s end,
 * its failure, a process of the platform exiting, or the signal (Ctrl-C). With `interruptBody`
 * false, the signal only stops the start: the body handles Ctrl-C itself and ends in its time.
 */
export async function withPlatform<T>(
  ws: Workspace,
  spec: PlatformSpec,
  signal: AbortSignal,
  body: (platform: StartedPlatform) => Promise<T>,
  options: { interruptBody?: boolean } = {},
): Promise<T> {
  const platform = await startPlatform(ws, spec, signal);
  const aborted = new Promise<never>((_, reject) => {
    if (options.interruptBody === false) return;
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([body(platform), platform.failure, aborted]);
  } finally {
    await platform.stop();
  }
}
