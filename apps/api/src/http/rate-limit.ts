// Per-client rate limits (express-rate-limit, counted in Redis so that every API process shares
// them): a client past its limit gets 429 with Retry-After and the IETF RateLimit and
// RateLimit-Policy headers. The anonymous client's limit applies to each address (an IPv6 /56).
// Accepting without Redis is by design, so the limit fails open: when Redis does not answer
// within a short deadline the request passes. The counters are batched (batched-rate-limit-store):
// no Redis round trip per request below the limit.
import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Logger } from '@predictq/logging';
import type { ApiMetrics } from '@predictq/metrics';

import { BatchedRedisStore } from './batched-rate-limit-store';
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
  const store = new BatchedRedisStore({
    redis,
    prefix: `${options.prefix}:ratelimit:`,
    deadlineMs: REDIS_DEADLINE_MS,
  });
  const limitOf = (res: Response) => callingClient(res).rateLimit ?? options.max;
  return rateLimit({
    windowMs: options.windowMs,
    limit: (_req, res) => limitOf(res),
    keyGenerator: (req, res) => {
      const client = callingClient(res);
      const key =
        client.keyId === null
          ? `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`
          : `client:${client.clientId}`;
      store.setLimit(key, limitOf(res));
      return key;
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
