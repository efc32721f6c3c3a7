// npm run fill: grows a database to N more stored predictions (rankings and feedback included),
// fast, for growth checks. The database is created and migrated when missing, and given the
// catalogue and the baseline model as a first start would (needs MODEL_DIR for the baseline).
import { ensurePlatform } from '@predictq/bootstrap';
import { commonEnvSchema, parseEnv } from '@predictq/config';
import { openMigratedDatabase } from '@predictq/db';
import { createLogger } from '@predictq/logging';
import { Command } from 'commander';

import { integer, seed, USAGE_ERROR } from './lib/cli';
import { fillPredictions } from './lib/fill/fill-predictions';
import { fillProgress } from './lib/fill/fill-progress';

interface Options {
  databaseUrl: string;
  predictions: number;
  days: number;
  seed: number;
}

async function main(): Promise<void> {
  const config = parseEnv(commonEnvSchema);
  const options = new Command('fill')
    .description('Add N realistic stored predictions (rankings, feedback) to a predictq database.')
    .option('--database-url <url>', 'the database (env DATABASE_URL)', config.DATABASE_URL)
    .requiredOption('-n, --predictions <n>', 'predictions to add', integer(1, 100_000_000))
    .option('--days <n>', 'spread their creation over this many past days', integer(1, 3650), 30)
    .option('--seed <n>', 'seed of the requests and the random draws', seed, 1)
    .parse()
    .opts<Options>();

  const { database, created } = await openMigratedDatabase({
    url: options.databaseUrl,
    poolSize: 2,
  });
  try {
    if (created) console.log('created the database');
    const state = await ensurePlatform({
      db: database.db,
      modelDir: config.MODEL_DIR,
      seed: config.SEED,
      logger: createLogger({ service: 'fill', level: 'warn', format: config.LOG_FORMAT }),
    });
    console.log(`catalogue ${state.catalogue}, baseline model ${state.model}`);
    const result = await fillPredictions(database.pool, {
      predictions: options.predictions,
      days: options.days,
      seed: options.seed,
      onProgress: fillProgress(options.predictions, (line) => console.log(line)),
    });
    console.log(
      `added ${result.predictions} predictions, ${result.rankings} rankings, ${result.feedback} ` +
        `feedback in ${result.seconds.toFixed(1)} s (${Math.round(result.predictions / result.seconds)}/s); analyzed`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(`fill: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof Error && error.name === 'ConfigError' ? USAGE_ERROR : 1);
});
