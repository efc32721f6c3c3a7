// npm run drill:redis-wipe: how fast the platform recovers when Redis loses a large backlog. It
// stores N accepted predictions with their jobs (as the API would, in bulk), starts the workers,
// kills Redis and restarts it empty, and times how long the recovery takes to put every
// unfinished prediction back in the queue, and to score them all.
import { randomBytes } from 'node:crypto';

import type { Database } from '@predictq/db';
import { createInferenceQueue, enqueuePredictions } from '@predictq/queue';
import { Command } from 'commander';
import { Redis } from 'ioredis';

import { createOwnPlatform } from './lib/chaos/platform';
import { integer, USAGE_ERROR } from './lib/cli';

interface Options {
  backlog: number;
  workers: number;
  json?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) =>
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<void> {
  const options = new Command('drill:redis-wipe')
    .description('Time the recovery of a backlog after Redis loses its data.')
    .option(
      '--backlog <n>',
      'accepted predictions waiting when Redis is wiped',
      integer(1, 10_000_000),
      100_000,
    )
    .option('--workers <n>', 'worker processes', integer(1, 16), 1)
    .option('--json <file>', 'write the figures as JSON')
    .parse()
    .opts<Options>();
  const runId = randomBytes(4).toString('hex');
  const platform = await createOwnPlatform({
    runId,
    workers: options.workers,
    // Only the reset can explain a recovery: the regular sweep would wait 10 minutes.
    env: { SWEEP_INTERVAL_MS: '600000', SWEEP_AFTER_MS: '600000' },
  });
  try {
    log(`storing ${options.backlog} accepted predictions and enqueueing their jobs`);
    const { rows } = await platform.database.pool.query<{ id: string }>(
      `insert into predictions (id, people_num, people_age, children_num, budget, nights,
         time_arrival, pool, spa, pet_friendly, lake, mountain, sport, age_avg, age_std,
         age_min, age_max, profile)
       select gen_random_uuid(), 2, '{34,36}', 0, 150 + (i % 300), 3, date '2026-07-01' + (i % 90),
              i % 2 = 0, i % 3 = 0, false, i % 5 = 0, i % 7 = 0, false, 35, 1, 34, 36, 'Couple'
       from generate_series(1, $1) as i
       returning id`,
      [options.backlog],
    );
    const connection = new Redis(platform.redis.url, { maxRetriesPerRequest: null });
    const queue = createInferenceQueue(connection, platform.queuePrefix);
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 1_000) {
      await enqueuePredictions(queue, ids.slice(i, i + 1_000));
    }
    await queue.close();
    connection.disconnect();

    await platform.start({ workers: true });
    await sleep(2_000);
    const scoredBefore = await succeeded(platform.database);
    log(`workers up; ${scoredBefore} scored so far. kill -9 Redis, restart it empty`);
    const recovered = Promise.race(
      platform.workers.map((w) =>
        w.waitForLine(
          (l) => l.message === 'recovery sweep acted' && l.trigger === 'redis_reset',
          600_000,
        ),
      ),
    );
    const wiped = Date.now();
    await platform.redis.kill();
    await platform.redis.start();
    const line = await recovered;
    const requeuedSeconds = (Date.now() - wiped) / 1000;
    log(`back in the queue after ${requeuedSeconds.toFixed(1)} s: ${JSON.stringify(line)}`);
    while ((await succeeded(platform.database)) < options.backlog) await sleep(500);
    const scoredSeconds = (Date.now() - wiped) / 1000;
    const figures = {
      backlog: options.backlog,
      workers: options.workers,
      scoredBeforeWipe: scoredBefore,
      reenqueued: line.reenqueued,
      requeuedSeconds,
      allScoredSeconds: scoredSeconds,
    };
    log(`all ${options.backlog} scored ${scoredSeconds.toFixed(1)} s after the wipe`);
    console.log(JSON.stringify(figures));
    if (options.json) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(options.json, `${JSON.stringify(figures, null, 2)}\n`);
    }
  } finally {
    await platform.stop();
  }
}

async function succeeded(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    "select count(*)::int as n from predictions where status = 'succeeded'",
  );
  return rows[0]!.n;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(USAGE_ERROR);
});
