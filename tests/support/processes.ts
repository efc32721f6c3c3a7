// The platform's real processes for a test: the API and workers run as child processes (node
// with tsx, like `npm start`), on the test's own database and Redis prefix. Their JSON log lines
// are kept, so tests can wait for them and read the ports they bound.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { readJsonLines } from '../../scripts/lib/platform/platform-processes';
import { REDIS_URL, ROOT, runModelDir } from './env';

export type LogLine = Record<string, unknown> & { message?: string; level?: string };

export class PlatformProcess {
  /** Where the process serves HTTP, once it reported its port. */
  url = '';
  readonly logs: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly watchers = new Set<() => void>();
  private stderr = '';

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (line: LogLine) => {
      this.logs.push(line);
      for (const watch of [...this.watchers]) watch();
    };
    readJsonLines(child.stdout!, keep, (line) => {
      if (line.trim()) keep({ message: line });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        for (const watch of [...this.watchers]) watch();
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first log line matching `match`, waiting up to timeoutMs for it. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const found = () => this.logs.find(match);
    const now = found();
    if (now) return now;
    return new Promise<LogLine>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(
          new Error(`${this.name}: no matching log line within ${timeoutMs} ms${this.describe()}`),
        );
      }, timeoutMs);
      const check = () => {
        const line = found();
        if (line || !this.running) {
          clearTimeout(timer);
          this.watchers.delete(check);
          if (line) resolve(line);
          else reject(new Error(`${this.name} exited before logging the line${this.describe()}`));
        }
      };
      this.watchers.add(check);
    });
  }

  /** Sends `signal` and waits for the exit. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  private describe(): string {
    const tail = this.logs
      .slice(-5)
      .map((l) => JSON.stringify(l))
      .join('\n');
    return `\nlast log lines:\n${tail}\nstderr:\n${this.stderr.slice(-2000)}`;
  }
}

export interface PlatformEnv {
  databaseUrl: string;
  queuePrefix: string;
  [name: string]: string;
}

function spawnProcess(name: string, entry: string, env: PlatformEnv): PlatformProcess {
  const { databaseUrl, queuePrefix, ...extra } = env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      MODEL_DIR: runModelDir(),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new PlatformProcess(name, child);
}

/** Starts the API on a free port; `url` is where it listens. */
export async function startApi(env: PlatformEnv): Promise<PlatformProcess> {
  const api = spawnProcess('api', 'apps/api/src/main.ts', { PORT: '0', ...env });
  // A loaded machine (tsx compiling the API while other tests run) can take well over 30 s.
  const listening = await api
    .waitForLog((l) => l.message === 'api listening', 120_000)
    .catch(async (error: unknown) => {
      await api.stop('SIGKILL'); // a start that failed leaves no process behind
      throw error;
    });
  api.url = `http://127.0.0.1:${String(listening.port)}`;
  return api;
}

/** Starts an inference worker; `url` is its /metrics and /healthz server. */
export async function startWorker(env: PlatformEnv): Promise<PlatformProcess> {
  const worker = spawnProcess('worker', 'apps/worker/src/main.ts', {
    WORKER_METRICS_PORT: '0',
    ...env,
  });
  const started = await worker
    .waitForLog((l) => l.message === 'inference worker started', 60_000)
    .catch(async (error: unknown) => {
      await worker.stop('SIGKILL');
      throw error;
    });
  worker.url = `http://127.0.0.1:${String(started.metricsPort)}`;
  return worker;
}
