// A database of its own for a test file: a clone of the run's migrated template.
import { randomBytes } from 'node:crypto';

import { createDatabase, type Database, quoteIdentifier } from '@predictq/db';

import { withAdmin } from './admin';
import { databaseUrl, runDatabasePrefix } from './env';

/** The count a `select count(*)::int as n ...` query answers. */
export async function countRows(
  database: Pick<Database, 'pool'>,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

export interface TestDatabase extends Database {
  name: string;
  url: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database of its own: migrated and empty, or (seeded) with the catalogue and the active
 * baseline model already in place, as after a first start.
 */
export async function createTestDatabase(
  options: { seeded?: boolean } = {},
): Promise<TestDatabase> {
  const run = runDatabasePrefix();
  const name = `${run}_${randomBytes(4).toString('hex')}`;
  await withAdmin(async (client) => {
    // The template may be busy for a moment when several files clone it at once.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(
          `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(`${run}_${options.seeded ? 'seeded' : 'template'}`)}`,
        );
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  const url = databaseUrl(name);
  const database = createDatabase({ url, poolSize: 4, applicationName: 'predictq-test' });
  return {
    ...database,
    name,
    url,
    drop: async () => {
      await database.close();
      await withAdmin((client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}
