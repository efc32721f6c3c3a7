// Once per test run: two template databases every test file clones: `<run>_template` (migrated,
// empty) and `<run>_seeded` (also holding the seeded catalogue and the baseline model, trained
// once here into a run-owned MODEL_DIR).
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ensurePlatform } from '@predictq/bootstrap';
import { createDatabase, quoteIdentifier, runMigrations } from '@predictq/db';
import { createLogger } from '@predictq/logging';

import { adminQuery } from './admin';
import { databaseUrl } from './env';

export default async function globalSetup(): Promise<void> {
  const run = `predictq_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const modelDir = await mkdtemp(path.join(os.tmpdir(), 'predictq-test-models-'));
  process.env.PREDICTQ_TEST_RUN = run;
  process.env.PREDICTQ_TEST_MODEL_DIR = modelDir;

  await adminQuery(`CREATE DATABASE ${quoteIdentifier(`${run}_template`)}`);
  const template = createDatabase({ url: databaseUrl(`${run}_template`), poolSize: 1 });
  try {
    await runMigrations(template.pool);
  } finally {
    await template.close();
  }

  await adminQuery(
    `CREATE DATABASE ${quoteIdentifier(`${run}_seeded`)} TEMPLATE ${quoteIdentifier(`${run}_template`)}`,
  );
  const seeded = createDatabase({ url: databaseUrl(`${run}_seeded`), poolSize: 1 });
  try {
    await ensurePlatform({
      db: seeded.db,
      modelDir,
      seed: 42,
      logger: createLogger({ service: 'test-setup', level: 'warn', format: 'json' }),
    });
  } finally {
    await seeded.close();
  }
}
