// Per-client rate limits (express-rate-limit, counted in Redis so that every API process shares
// them): a client past its limit gets 429 with Retry-After and the IETF RateLimit and
// RateLimit-Policy headers. The anonymous client's limit applies to each address (an IPv6 /56).
// Accepting without Redis is by design, so the limit fails open: when Redis does not answer
// within a short deadline the request passes.
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { Cluster } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Logger } from '@predictq/logging';
import type { ApiMetrics } from '@predictq/metrics';

import { callingClient } from './client-auth';
import { HttpError } from './errors';
import type { RedisConnection } from '@predictq/queue';

/** Longest the rate limit waits for Redis before letting the request through. */
const REDIS_DEADLINE_MS = 250;

export interface RateLimitOptions {
  redis: RedisConnection;
  /** Prefix of the counters' keys (the queue prefix, so tests and deployments stay apart). */
  prefix: string;
  windowMs: number;
  /** Requests per window of a client without a limit of its own. */
  max: number;
  logger: Logger;
  metrics: ApiMetrics;
}

/**
 * The store, made robust to a Redis that was away when the API started or that restarted empty:
 * rate-limit-redis loads its script once at start and would fail every later call after a failed
 * load, so a failure reloads it for the next call.
 */
class ResilientRedisStore extends RedisStore {
  override async init(options: Parameters<RedisStore['init']>[0]): Promise<void> {
    await super.init(options).catch(() => undefined);
  }

  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch (error) {
      this.incrementScriptSha = this.loadIncrementScript();
      this.incrementScriptSha.catch(() => undefined);
      throw error;
    }
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('rate limit: Redis did not answer in time')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * One command of the store. On a Cluster, EVALSHA goes to the node owning the counter's key, so
 * SCRIPT LOAD must reach every master, not one picked at random.
 */
async function sendToRedis(
  redis: RedisConnection,
  command: string,
  args: string[],
): Promise<RedisReply> {
  if (redis instanceof Cluster && command.toUpperCase() === 'SCRIPT') {
    const replies = await Promise.all(
      redis.nodes('master').map((node) => node.call(command, ...args)),
    );
    return replies[0] as RedisReply;
  }
  return (await redis.call(command, ...args)) as RedisReply;
}

export function clientRateLimit(options: RateLimitOptions): RequestHandler {
  if (options.max === 0) return (_req, _res, next) => next();
  const { redis, logger } = options;
  let lastWarning = 0;
  const warnOncePerMinute = (error: unknown) => {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    logger.warn('rate limit unavailable (Redis): requests pass unlimited', {
      error: error instanceof Error ? error.message : String(error),
    });
  };
  const store = new ResilientRedisStore({
    prefix: `${options.prefix}:ratelimit:`,
    sendCommand: (command: string, ...args: string[]) =>
      withDeadline(sendToRedis(redis, command, args), REDIS_DEADLINE_MS),
  });
  return rateLimit({
    windowMs: options.windowMs,
    limit: (_req, res) => callingClient(res).rateLimit ?? options.max,
    keyGenerator: (req, res) => {
      const client = callingClient(res);
      return client.keyId === null
        ? `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`
        : `client:${client.clientId}`;
    },
    identifier: 'client',
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    store,
    // One warning a minute while Redis is away, not one per request.
    logger: { error: warnOncePerMinute, warn: warnOncePerMinute },
    handler: (_req, res, next) => {
      options.metrics.refusals.inc({ reason: 'rate_limited' });
      const retryAfter = Number(res.getHeader('Retry-After') ?? 1);
      next(
        new HttpError(
          429,
          'rate_limited',
          'too many requests from this client: nothing was stored; retry after Retry-After seconds',
        ).withRetryAfter(Math.max(1, retryAfter)),
      );
    },
  });
}
