// What the platforms of one invocation share: the build (made once, `npm run build` into dist/),
// one model directory (so the baseline is trained once, then loaded), one folder of process
// logs, and where PostgreSQL and Redis are. Everything temporary is removed by close(); the logs
// are kept when something failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { fillProgress } from '../fill/fill-progress';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export interface Workspace {
  buildDir: string;
  modelDir: string;
  logDir: string;
  /** The PostgreSQL server (env DATABASE_URL's, or the local one): fresh databases go there. */
  serverUrl: string;
  redisUrl: string;
  /** Fresh databases are `<prefix>_<random>`, Redis prefixes `<prefix with ->-<random>`. */
  databasePrefix: string;
  log: (line: string) => void;
  fillProgress: (total: number) => (done: number) => void;
  /** Removes the temporary folders (the logs only when `keepLogs` is false). */
  close(keepLogs: boolean): Promise<void>;
}

export interface WorkspaceOptions {
  /** bench, traffic, scenario: names the databases and folders. */
  purpose: string;
  /** false: run the existing dist/ as it is. */
  build: boolean;
  /** A model directory to reuse; by default a temporary one. */
  modelDir?: string;
  log: (line: string) => void;
}

function build(log: (line: string) => void): void {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'scripts', 'build.ts')],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0)
    throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  log(result.stdout.trim());
}

export async function openWorkspace(options: WorkspaceOptions): Promise<Workspace> {
  const buildDir = path.join(ROOT, 'dist');
  if (options.build) build(options.log);
  if (!existsSync(path.join(buildDir, 'apps', 'api', 'src', 'main.js'))) {
    throw new Error(`no build in ${buildDir}: run npm run build (or leave out --no-build)`);
  }
  const temporary = (what: string) =>
    mkdtemp(path.join(os.tmpdir(), `predictq-${options.purpose}-${what}-`));
  const modelDir = options.modelDir ? path.resolve(options.modelDir) : await temporary('models');
  const logDir = await temporary('logs');
  return {
    buildDir,
    modelDir,
    logDir,
    serverUrl: process.env.DATABASE_URL ?? DEFAULT_SERVER,
    redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS,
    databasePrefix: `predictq_${options.purpose}`,
    log: options.log,
    fillProgress: (total) => fillProgress(total, options.log),
    close: async (keepLogs) => {
      if (!options.modelDir) await rm(modelDir, { recursive: true, force: true });
      if (keepLogs) options.log(`process logs kept in ${logDir}`);
      else await rm(logDir, { recursive: true, force: true });
    },
  };
}
