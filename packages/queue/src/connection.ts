// Redis connections for BullMQ. Workers wait out Redis outages (maxRetriesPerRequest: null, as
// BullMQ requires); producers fail fast so an API request never hangs on a dead Redis.
import { Redis } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

export interface RedisOptions {
  /** Connection name shown by CLIENT LIST. */
  name?: string;
  /**
   * Longest a command may take before it fails with "Command timed out". Never on the connection
   * a BullMQ Worker is given: it duplicates it for its blocking fetch, which waits for seconds.
   */
  commandTimeoutMs?: number;
}

export function createRedis(url: string, role: RedisRole, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: options.name ?? `predictq-${role}`,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    // Reconnect forever with a capped delay; the process decides when to give up.
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    // TCP keepalive notices a peer that vanished without closing the connection.
    keepAlive: 10_000,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  });
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${redis.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
