// Variables every process shares (API, worker, scripts). Each app extends this schema with its
// own; .env.example documents them all and a test keeps it in step with these schemas.
import { z } from 'zod';

import { boolean, positiveInt, url } from './env';

export const commonEnvShape = {
  /** development | production | test: production refuses unsafe defaults. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** PostgreSQL connection string; the database is created on start when the server allows it. */
  DATABASE_URL: url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/predictq'),
  /** Connections in this process's PostgreSQL pool. */
  DATABASE_POOL_SIZE: positiveInt(10),
  /**
   * Longest a statement may run (PostgreSQL's statement_timeout); the client gives up a second
   * later. Past it the work is retried later (worker) or answered 503 (API), never hung.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(5_000),
  /** Longest a caller waits for a pooled connection (or a new one to open). */
  DATABASE_ACQUIRE_TIMEOUT_MS: positiveInt(2_000),
  /**
   * Redis for BullMQ (needs maxmemory-policy noeviction in deployment): redis://, rediss://, or
   * unix:///path/to/redis.sock?db=N&password=... for its Unix-domain socket.
   */
  REDIS_URL: url(['redis', 'rediss', 'unix'], 'redis://127.0.0.1:6379'),
  /**
   * REDIS_URL names a seed node of a Redis Cluster: ioredis runs in cluster mode and discovers
   * the other nodes (every queue's keys carry a hash tag; see QUEUE_PREFIX).
   */
  REDIS_CLUSTER: boolean(false),
  /** Longest a Redis command may take before it fails (blocking reads of workers excepted). */
  REDIS_COMMAND_TIMEOUT_MS: positiveInt(2_000),
  /**
   * Prefix of every BullMQ key in Redis. Without a hash tag each queue gets its own
   * (`predictq:{inference}`), spreading the queues over a Cluster's shards; a tag in it
   * (`{predictq}`) puts every queue in that one slot.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]+$/, 'only letters, digits, a {hash tag} and _ . : -')
    .refine((value) => !/[{}]/.test(value) || /^[^{}]*\{[^{}]+\}[^{}]*$/.test(value), {
      message: 'at most one hash tag, as {name} with something between the braces',
    })
    .default('predictq'),
  /**
   * Apply the pending database migrations at start. Turn it off where a one-off job migrates
   * once per release (Kubernetes: the migration Job runs `node scripts/migrate.js`).
   */
  MIGRATE_ON_START: boolean(true),
  /** Where model files (ONNX + manifest) are written. */
  MODEL_DIR: z.string().min(1).default('./var/models'),
  /**
   * V8's old generation grows to at most (1 + this/100) times what survived its last full
   * collection (a factor, not a limit); 0 keeps V8's own, which let the API's heap reach 3x its
   * live size under load. See the README's performance work.
   */
  HEAP_GROWING_PERCENT: z.coerce.number().int().min(0).max(1000).default(100),
  /** error | warn | info | http | verbose | debug | silly */
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  /** json (one object per line) | pretty (for a terminal) | auto (pretty on a TTY, else json). */
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
  /** Tries a prediction's job gets (the first included) before the prediction ends failed. */
  INFERENCE_ATTEMPTS: positiveInt(3),
  /** Delay before the first retry of a prediction's job; later ones double, with jitter. */
  INFERENCE_BACKOFF_MS: positiveInt(1000),
  /** Milliseconds a process may take to shut down gracefully before it is forced out. */
  SHUTDOWN_TIMEOUT_MS: positiveInt(30_000),
  /**
   * Webhook targets that may be private, loopback or link-local, and plain http: comma-separated
   * host or host:port (e.g. localhost:9000 in tests). Every other target must resolve to public
   * addresses only (checked at submission and at each delivery).
   */
  WEBHOOK_ALLOWED_HOSTS: z.string().default(''),
  /** Plain http webhooks to any public host (otherwise only https, or listed hosts). */
  WEBHOOK_ALLOW_HTTP: boolean(false),
  /** Seed for the first-start catalogue and baseline model. */
  SEED: z.coerce.number().int().default(42),
} as const;

export const commonEnvSchema = z.object(commonEnvShape);
export type CommonConfig = z.infer<typeof commonEnvSchema>;
