// Liveness (the process answers) and readiness (it can do its job: PostgreSQL and Redis answer,
// and a model is active to score with). Readiness names a failing dependency but never the
// driver's message (addresses, versions): that goes to the log.
import { sql } from 'drizzle-orm';
import { type Db, getActiveModel } from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';

import type { Handlers } from '../http/mount';
import type { RedisConnection } from '@predictq/queue';

type Check = 'ok' | 'unavailable' | 'no active model';

export function healthHandlers(deps: {
  db: Db;
  redis: RedisConnection;
  logger: Logger;
  /** The OpenAPI document, built once. */
  openapi: unknown;
}): Handlers<'liveness' | 'readiness' | 'openapi'> {
  const check = async (name: string, fn: () => Promise<Check>): Promise<Check> => {
    try {
      return await fn();
    } catch (error) {
      deps.logger.warn('readiness check failed', { check: name, error: errorMessage(error) });
      return 'unavailable';
    }
  };

  return {
    liveness: (_request, res) => {
      res.json({ status: 'ok' });
    },

    openapi: (_request, res) => {
      res.json(deps.openapi);
    },

    readiness: async (_request, res) => {
      const [database, redis, model] = await Promise.all([
        check('database', async () => {
          await deps.db.execute(sql`select 1`);
          return 'ok';
        }),
        check('redis', async () => ((await deps.redis.ping()) === 'PONG' ? 'ok' : 'unavailable')),
        check('model', async () => ((await getActiveModel(deps.db)) ? 'ok' : 'no active model')),
      ]);
      const checks = { database, redis, model };
      const ready = Object.values(checks).every((v) => v === 'ok');
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
    },
  };
}
