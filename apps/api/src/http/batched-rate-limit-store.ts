// The rate limit's counters, shared by every API process in Redis, without a Redis round trip per
// request. Each process counts its hits locally and adds them to Redis in one pipeline every
// flushMs, learning the others' hits from the totals Redis returns. A hit that would take a
// client past its limit is never refused on the local count alone: its key is synced with Redis
// at once, and Redis's total decides. So a single process refuses exactly at the limit, as a store
// that asks Redis on every request does; several processes may together let through up to one
// flush interval's worth of hits more before they see each other's. Redis away: the sync fails,
// and express-rate-limit lets the request pass (fails open), as before.
import type { RedisConnection } from '@predictq/queue';
import type { IncrementResponse, Options, Store } from 'express-rate-limit';

// Adds ARGV[1] hits to the key's window (a new window of ARGV[2] ms when none is open); returns the
// window's total and the milliseconds left in it.
const ADD_HITS = `
  local total = redis.call('INCRBY', KEYS[1], ARGV[1])
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    ttl = tonumber(ARGV[2])
  end
  return {total, ttl}`;

interface Bucket {
  /** The window's total in Redis when last synced (this process's synced hits included). */
  synced: number;
  /** This process's hits not yet added to Redis. */
  pending: number;
  /** When the window ends (epoch ms). */
  resetAt: number;
  /** The key's limit, as the middleware applies it; undefined: every hit asks Redis. */
  limit: number | undefined;
}

type AddHits = (key: string, hits: number, windowMs: number) => Promise<[number, number]>;

export interface BatchedRedisStoreOptions {
  redis: RedisConnection;
  /** Prefix of the keys in Redis. */
  prefix: string;
  /** How often local hits are added to Redis. */
  flushMs?: number;
  /** Longest wait for Redis on a sync before the request passes. */
  deadlineMs?: number;
  now?: () => number;
}

export class BatchedRedisStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private readonly buckets = new Map<string, Bucket>();
  private readonly addHits: AddHits;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly options: BatchedRedisStoreOptions) {
    this.prefix = options.prefix;
    this.now = options.now ?? Date.now;
    const command = 'predictqAddRateLimitHits';
    if (!(command in options.redis)) {
      options.redis.defineCommand(command, { numberOfKeys: 1, lua: ADD_HITS });
    }
    const redis = options.redis as unknown as Record<string, AddHits>;
    this.addHits = (key, hits, windowMs) =>
      withDeadline(
        redis[command]!.call(options.redis, this.prefix + key, hits, windowMs),
        options.deadlineMs ?? 250,
      );
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 100);
    this.timer.unref();
  }

  async increment(key: string): Promise<IncrementResponse> {
    const bucket = this.bucket(key);
    bucket.pending += 1;
    if (bucket.limit !== undefined && bucket.synced + bucket.pending <= bucket.limit) {
      return { totalHits: bucket.synced + bucket.pending, resetTime: new Date(bucket.resetAt) };
    }
    // Past the limit by this process's count: Redis's total decides (it may have reset the window).
    await this.sync(key, bucket);
    return { totalHits: bucket.synced + bucket.pending, resetTime: new Date(bucket.resetAt) };
  }

  /** The limit the middleware applies to `key` (its key generator tells it before the hit). */
  setLimit(key: string, limit: number): void {
    this.bucket(key).limit = limit;
  }

  decrement(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.pending -= 1;
  }

  async resetKey(key: string): Promise<void> {
    this.buckets.delete(key);
    await this.options.redis.del(this.prefix + key);
  }

  shutdown(): void {
    clearInterval(this.timer);
  }

  /** Adds every key's pending hits to Redis, in one pipeline; drops the windows that ended. */
  flush(): Promise<void> {
    this.flushing ??= this.flushAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushAll(): Promise<void> {
    const now = this.now();
    const due: [string, Bucket][] = [];
    for (const [key, bucket] of this.buckets) {
      if (bucket.pending > 0) due.push([key, bucket]);
      else if (bucket.resetAt <= now) this.buckets.delete(key);
    }
    // One command per client with hits since the last flush, however many requests it made.
    await Promise.all(due.map(([key, bucket]) => this.sync(key, bucket).catch(() => undefined)));
  }

  private bucket(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      // Hits of an ended window still unflushed are not counted into the new one.
      bucket = { synced: 0, pending: 0, resetAt: now + this.windowMs, limit: bucket?.limit };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Adds the bucket's pending hits to Redis and takes its total; throws when Redis is away. */
  private async sync(key: string, bucket: Bucket): Promise<void> {
    const hits = bucket.pending;
    bucket.pending = 0;
    try {
      const [total, ttl] = await this.addHits(key, hits, this.windowMs);
      bucket.synced = Number(total);
      bucket.resetAt = this.now() + Number(ttl);
    } catch (error) {
      // Redis away: these hits are not counted (the limit fails open until it is back).
      bucket.synced = 0;
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
