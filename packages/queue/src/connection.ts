// Redis connections for BullMQ. Workers wait out Redis outages (maxRetriesPerRequest: null, as
// BullMQ requires); producers fail fast so an API request never hangs on a dead Redis. With
// REDIS_CLUSTER=true the connection is an ioredis Cluster seeded from REDIS_URL (one node of the
// cluster; the others are discovered), and every queue's keys share a hash tag (keys.ts). A
// `unix:` URL reaches a single Redis over its Unix-domain socket.
import { Cluster, Redis, type RedisOptions as IORedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

/** A connection to a single Redis (or one behind Sentinel) or to a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

export interface RedisOptions {
  /** Connection name shown by CLIENT LIST. */
  name?: string;
  /**
   * Longest a command may take before it fails with "Command timed out". Never on the connection
   * a BullMQ Worker is given: it duplicates it for its blocking fetch, which waits for seconds.
   */
  commandTimeoutMs?: number;
  /** REDIS_CLUSTER: `url` names a seed node of a Redis Cluster. */
  cluster?: boolean;
}

/**
 * What ioredis connects to for `url`: redis:// and rediss:// as they are; unix:///path/redis.sock
 * (options as query parameters: ?db=2&password=...) as the socket path ioredis takes, with them.
 */
export function redisTarget(url: string): string {
  if (!url.startsWith('unix:')) return url;
  const parsed = new URL(url);
  if (parsed.host !== '' || parsed.pathname === '' || parsed.pathname === '/') {
    throw new Error(`${url}: a unix: Redis URL is unix:///path/to/redis.sock (no host)`);
  }
  return `${decodeURIComponent(parsed.pathname)}${parsed.search}`;
}

export function createRedis(
  url: string,
  role: RedisRole,
  options: RedisOptions = {},
): RedisConnection {
  const common: IORedisOptions = {
    connectionName: options.name ?? `predictq-${role}`,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    // Reconnect forever with a capped delay; the process decides when to give up.
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    // TCP keepalive notices a peer that vanished without closing the connection.
    keepAlive: 10_000,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
  };
  if (!options.cluster) {
    return new Redis(redisTarget(url), { ...common, enableOfflineQueue: role === 'worker' });
  }
  const seed = new URL(url);
  if (seed.protocol === 'unix:') throw new Error('a Redis Cluster is reached over TCP, not unix:');
  return new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
    enableOfflineQueue: role === 'worker',
    clusterRetryStrategy: (times) => Math.min(times * 200, 5_000),
    // The nodes' own addresses, as the cluster announces them (cluster-announce-ip behind NAT).
    redisOptions: {
      ...common,
      ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
      ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
      ...(seed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    // Managed services (TLS) announce names that must be resolved by the TLS layer itself.
    ...(seed.protocol === 'rediss:'
      ? { dnsLookup: (address: string, done: (e: null, a: string) => void) => done(null, address) }
      : {}),
  });
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: RedisConnection, timeoutMs = 10_000): Promise<void> {
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
