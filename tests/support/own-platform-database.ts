// A platform database on a PostgreSQL server the test owns (so that it can stop it): created,
// migrated and seeded as on a first start, with the run's baseline model.
import { ensurePlatform } from '@predictq/bootstrap';
import { createDatabase, type Database, runMigrations } from '@predictq/db';
import { createLogger } from '@predictq/logging';

import { runModelDir } from './env';
import { LocalPostgres } from '../../scripts/lib/local-servers/postgres-server';

export interface OwnPlatformDatabase {
  server: LocalPostgres;
  url: string;
  /** A small pool for the test's own checks (it reconnects after an outage). */
  database: Database;
  destroy(): Promise<void>;
}

export async function startOwnPlatformDatabase(): Promise<OwnPlatformDatabase> {
  const server = await LocalPostgres.start();
  await server.query('CREATE DATABASE predictq');
  const url = server.url('predictq');
  const database = createDatabase({ url, poolSize: 2, applicationName: 'predictq-test' });
  // An idle connection the outage breaks must not crash the test process.
  database.pool.on('error', () => undefined);
  await runMigrations(database.pool);
  await ensurePlatform({
    db: database.db,
    modelDir: runModelDir(),
    seed: 42,
    logger: createLogger({ service: 'test', level: 'warn', format: 'json' }),
  });
  return {
    server,
    url,
    database,
    destroy: async () => {
      await database.close().catch(() => undefined);
      await server.destroy();
    },
  };
}
