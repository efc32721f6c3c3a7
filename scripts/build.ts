// npm run build: the runtime layout, for the Docker image and for `node dist/apps/api/src/main.js`.
// Every non-test TypeScript file of the workspaces (apps/*, packages/*) is transpiled on its own
// by esbuild (no bundling, CommonJS, node20) into the same path under the output directory, next
// to the workspace's other files (profile tables, migrations) and its package.json, whose "main"
// now names the JavaScript. The root package.json, package-lock.json and .npmrc come along, so
// `npm ci --omit=dev` in the output installs exactly the locked production dependencies. Unless
// --no-link, node_modules/@predictq/* in the output link to its workspaces, so the output runs
// inside this repository with the root node_modules for everything else.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Command } from 'commander';
import { transform, type TransformOptions } from 'esbuild';

const ROOT = path.resolve(__dirname, '..');
/** Written into every output directory; only a directory holding it is ever replaced. */
const MARKER = '.predictq-build';
const ROOT_FILES = ['package.json', 'package-lock.json', '.npmrc'];
/** Never copied from a workspace: dependencies, type-checking and test files. */
const SKIPPED = [/(^|\/)node_modules(\/|$)/, /(^|\/)tsconfig[^/]*\.json$/, /\.test\.[cm]?[jt]s$/];

interface Workspace {
  /** Relative to the root, e.g. packages/db. */
  dir: string;
  name: string;
}

async function workspaces(): Promise<Workspace[]> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  const found: Workspace[] = [];
  for (const pattern of manifest.workspaces) {
    // The root's workspaces are "<folder>/*" globs.
    if (!pattern.endsWith('/*')) throw new Error(`unsupported workspace pattern ${pattern}`);
    const parent = pattern.slice(0, -2);
    for (const entry of await readdir(path.join(ROOT, parent), { withFileTypes: true })) {
      const dir = `${parent}/${entry.name}`;
      if (!entry.isDirectory() || !existsSync(path.join(ROOT, dir, 'package.json'))) continue;
      const { name } = JSON.parse(await readFile(path.join(ROOT, dir, 'package.json'), 'utf8')) as {
        name: string;
      };
      found.push({ dir, name });
    }
  }
  return found.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Files under `dir` (relative to it, with /), skipping the SKIPPED patterns. */
async function files(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (SKIPPED.some((pattern) => pattern.test(rel))) continue;
    if (entry.isDirectory()) out.push(...(await files(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

async function transformOptions(): Promise<TransformOptions> {
  // The root tsconfig's target decides class-field semantics, as it does under tsx.
  const tsconfig = JSON.parse(await readFile(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { target: string };
  };
  return {
    loader: 'ts',
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'external',
    sourcesContent: false,
    tsconfigRaw: { compilerOptions: { target: tsconfig.compilerOptions.target } },
  };
}

async function buildWorkspace(workspace: Workspace, out: string, options: TransformOptions) {
  let transpiled = 0;
  for (const rel of await files(path.join(ROOT, workspace.dir))) {
    const from = path.join(ROOT, workspace.dir, rel);
    const to = path.join(out, workspace.dir, rel);
    await mkdir(path.dirname(to), { recursive: true });
    if (rel === 'package.json') {
      const manifest = JSON.parse(await readFile(from, 'utf8')) as Record<string, unknown>;
      if (typeof manifest.main === 'string') manifest.main = manifest.main.replace(/\.ts$/, '.js');
      // No declarations are built: the output is for running, not for compiling against.
      delete manifest.types;
      await writeFile(to, `${JSON.stringify(manifest, null, 2)}\n`);
    } else if (rel.endsWith('.ts')) {
      // Only sources run; other TypeScript (drizzle.config.ts) is development tooling.
      if (!rel.startsWith('src/') || rel.endsWith('.d.ts')) continue;
      const js = to.replace(/\.ts$/, '.js');
      const result = await transform(await readFile(from, 'utf8'), {
        ...options,
        sourcefile: path.basename(from),
      });
      await writeFile(js, `${result.code}//# sourceMappingURL=${path.basename(js)}.map\n`);
      await writeFile(`${js}.map`, result.map);
      transpiled++;
    } else {
      await copyFile(from, to);
    }
  }
  return transpiled;
}

/**
 * Lets the output run inside this repository: node_modules/@predictq/* to the built workspaces,
 * and a workspace's own node_modules (a dependency version that differs from the root's) to the
 * repository's.
 */
async function link(out: string, built: readonly Workspace[]): Promise<void> {
  const relativeLink = async (target: string, at: string) => {
    await mkdir(path.dirname(at), { recursive: true });
    await symlink(path.relative(path.dirname(at), target), at, 'dir');
  };
  for (const workspace of built) {
    const nested = path.join(ROOT, workspace.dir, 'node_modules');
    if (existsSync(nested))
      await relativeLink(nested, path.join(out, workspace.dir, 'node_modules'));
    const at = path.join(out, 'node_modules', ...workspace.name.split('/'));
    await relativeLink(path.join(out, workspace.dir), at);
  }
}

async function prepareOutput(out: string): Promise<void> {
  if (existsSync(out)) {
    const entries = await readdir(out);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new Error(`${out} exists and is not a previous build output; not replacing it`);
    }
    await rm(out, { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, MARKER), 'Output of scripts/build.ts; replaced by every build.\n');
}

async function main(): Promise<void> {
  const options = new Command('build')
    .description('Transpile the workspaces to CommonJS for Node.js 20 (the Docker runtime layout).')
    .option('--out <dir>', 'output directory (replaced)', 'dist')
    .option('--no-link', 'do not link node_modules/@predictq/* to the built workspaces')
    .parse()
    .opts<{ out: string; link: boolean }>();
  const out = path.resolve(ROOT, options.out);
  if (out === ROOT || ROOT.startsWith(`${out}${path.sep}`)) {
    throw new Error(`refusing to build into ${out}`);
  }
  const started = Date.now();
  await prepareOutput(out);
  for (const file of ROOT_FILES) await copyFile(path.join(ROOT, file), path.join(out, file));

  const transform = await transformOptions();
  const built = await Promise.all(
    (await workspaces()).map(async (workspace) => ({
      workspace,
      transpiled: await buildWorkspace(workspace, out, transform),
    })),
  );
  const workspacesBuilt = built.map((b) => b.workspace);
  if (options.link) await link(out, workspacesBuilt);
  const total = built.reduce((sum, b) => sum + b.transpiled, 0);
  console.log(
    `built ${built.length} workspaces (${total} files) into ${path.relative(ROOT, out) || out} ` +
      `in ${Date.now() - started} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
