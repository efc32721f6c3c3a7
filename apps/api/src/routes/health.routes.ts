// Liveness (the process answers) and readiness (it can do its job: PostgreSQL and Redis answer,
// and a model is active to score with).
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import { type Db, getActiveModel } from '@predictq/db';

async function check(fn: () => Promise<string>): Promise<string> {
  try {
    return await fn();
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function healthRoutes(deps: { db: Db; redis: Redis }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [database, redis, model] = await Promise.all([
      check(async () => {
        await deps.db.execute(sql`select 1`);
        return 'ok';
      }),
      check(async () => ((await deps.redis.ping()) === 'PONG' ? 'ok' : 'error: no PONG')),
      check(async () => ((await getActiveModel(deps.db)) ? 'ok' : 'error: no active model')),
    ]);
    const checks = { database, redis, model };
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });

  return router;
}
