// Every workspace's package.json names files that exist: "main" (and "types") is what the build
// rewrites and what Node resolves, so a stale one breaks only at run time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const { workspaces } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  workspaces: string[];
};
const dirs = workspaces.flatMap((pattern) => {
  const parent = path.join(ROOT, pattern.replace(/\/\*$/, ''));
  return readdirSync(parent)
    .map((name) => path.join(parent, name))
    .filter((dir) => existsSync(path.join(dir, 'package.json')));
});

describe('workspace manifests', () => {
  it.each(dirs.map((d) => [path.relative(ROOT, d), d]))('%s: main and types exist', (_, dir) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      main?: string;
      types?: string;
    };
    for (const file of [manifest.main, manifest.types]) {
      if (file !== undefined) expect(existsSync(path.join(dir, file))).toBe(true);
    }
  });
});
