// Drops every database this run created, and its model directory (and nothing else).
import { rm } from 'node:fs/promises';

import { quoteIdentifier } from '@predictq/db';

import { withAdmin } from './admin';

export default async function globalTeardown(): Promise<void> {
  const run = process.env.PREDICTQ_TEST_RUN;
  if (!run) return;
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC`,
      [`${run.replace(/_/g, '\\_')}\\_%`],
    );
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
    }
  });
  const modelDir = process.env.PREDICTQ_TEST_MODEL_DIR;
  if (modelDir?.includes('predictq-test-models-'))
    await rm(modelDir, { recursive: true, force: true });
}
