// CI check: the committed migrations match the drizzle schema. Runs drizzle-kit generate against
// a copy of packages/db/migrations and fails unless it finds nothing to migrate. (drizzle-kit
// wants a relative --out and exits 0 on some errors, hence the copy under var/ and the check of
// its own words.)
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const MIGRATIONS = path.join('packages', 'db', 'migrations');
const COPY = path.join('var', `migrations-check-${process.pid}`);

async function main(): Promise<number> {
  await mkdir(path.join(ROOT, COPY), { recursive: true });
  try {
    await cp(path.join(ROOT, MIGRATIONS), path.join(ROOT, COPY), { recursive: true });
    const before = new Set(await readdir(path.join(ROOT, COPY)));
    const run = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'drizzle-kit'),
      [
        'generate',
        '--dialect=postgresql',
        '--schema=./packages/db/src/schema/*.schema.ts',
        '--casing=snake_case',
        `--out=./${COPY}`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const output = `${run.stdout}${run.stderr}`;
    const added = (await readdir(path.join(ROOT, COPY))).filter((file) => !before.has(file));
    if (added.length > 0) {
      console.error(
        `the schema changed without a migration: drizzle-kit would write ${added.join(', ')}.\n` +
          'Run `npm run db:generate -- --name <what_changed>` and commit the migration.',
      );
      return 1;
    }
    if (run.status !== 0 || !/No schema changes, nothing to migrate/.test(output)) {
      console.error(
        `drizzle-kit generate did not confirm the migrations are up to date:\n${output}`,
      );
      return 1;
    }
    console.log('migrations are up to date with the schema');
    return 0;
  } finally {
    await rm(path.join(ROOT, COPY), { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
