// The one-off migration step of a release (Kubernetes: the migration Job; `npm run db:migrate`):
// create the database when missing, apply the pending migrations, and, unless BOOTSTRAP is false,
// seed the catalogue and the baseline model on a first start. The API and the workers then run
// with MIGRATE_ON_START=false (and BOOTSTRAP=false) and wait for it instead of racing it.
import { ensurePlatform } from '@predictq/bootstrap';
import { ConfigError } from '@predictq/config';
import { openMigratedDatabase, pendingMigrations } from '@predictq/db';
import { createLogger } from '@predictq/logging';

import { loadWorkerConfig } from './config';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger({
    service: 'migrate',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  const { database, created } = await openMigratedDatabase({
    url: config.DATABASE_URL,
    poolSize: 2,
    applicationName: 'predictq-migrate',
    migrate: true,
  });
  try {
    const pending = await pendingMigrations(database.pool);
    if (pending !== 0) throw new Error(`${pending} migration(s) still pending after migrating`);
    logger.info('database migrated', { created });
    if (config.BOOTSTRAP) {
      await ensurePlatform({
        db: database.db,
        modelDir: config.MODEL_DIR,
        seed: config.SEED,
        logger: logger.child({ scope: 'bootstrap' }),
      });
    }
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `migration failed: ${String(error instanceof Error ? error.stack : error)}\n`,
    );
    process.exit(1);
  },
);
