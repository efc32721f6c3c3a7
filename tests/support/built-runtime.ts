// The runtime layout of the Docker image, made here without Docker: `scripts/build.ts` into a
// temporary directory, then node_modules as `npm ci --omit=dev` would lay it out (the workspaces
// linked, and every production package of the lockfile linked from this repository's
// node_modules, development packages left out). The built API and worker run from it with plain
// node, no TypeScript loader.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { PlatformProcess } from './processes';
import { ROOT } from './env';

interface LockEntry {
  dev?: boolean;
  link?: boolean;
  resolved?: string;
}

/** Links out/<path> for every production package of package-lock.json that a lookup can reach. */
async function linkProductionDependencies(out: string): Promise<number> {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  let linked = 0;
  for (const [where, entry] of Object.entries(lock.packages)) {
    // Only the first node_modules level of the root or of a workspace: deeper packages are
    // found from their parent's real path, as they are after an install.
    const match = /^((?:apps|packages)\/[^/]+\/)?node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(where);
    if (!match || entry.dev) continue;
    const at = path.join(out, where);
    const target = entry.link ? path.join(out, entry.resolved!) : path.join(ROOT, where);
    if (!existsSync(target)) continue; // an optional package for another platform
    await mkdir(path.dirname(at), { recursive: true });
    await symlink(target, at, 'dir');
    linked++;
  }
  return linked;
}

/** Builds into a new temporary directory and lays out its node_modules; returns the directory. */
export async function buildRuntime(): Promise<string> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'predictq-runtime-'));
  const build = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'scripts', 'build.ts'), '--out', out, '--no-link'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  await linkProductionDependencies(out);
  return out;
}

/** Runs a built entry point (e.g. apps/api/src/main.js) with plain node inside `out`. */
export function startBuilt(
  name: string,
  out: string,
  entry: string,
  env: Record<string, string>,
): PlatformProcess {
  const child = spawn(process.execPath, [path.join(out, entry)], {
    cwd: out,
    env: { PATH: process.env.PATH, NODE_OPTIONS: '--enable-source-maps', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new PlatformProcess(name, child);
}
