import type { Options } from 'express-rate-limit';
import type { Redis } from 'ioredis';

import { BatchedRedisStore } from './batched-rate-limit-store';

/** A Redis with only what the store uses: its script, run on a map, counting the calls. */
function fakeRedis(now: () => number) {
  const keys = new Map<string, { total: number; expiresAt: number }>();
  const fake = {
    calls: 0,
    down: false,
    defineCommand(name: string) {
      (fake as unknown as Record<string, unknown>)[name] = async (
        key: string,
        hits: number,
        windowMs: number,
      ) => {
        fake.calls += 1;
        if (fake.down) throw new Error('Connection is closed.');
        let entry = keys.get(key);
        if (!entry || entry.expiresAt <= now()) entry = { total: 0, expiresAt: now() + windowMs };
        entry.total += hits;
        keys.set(key, entry);
        return [entry.total, entry.expiresAt - now()];
      };
    },
    del: async (key: string) => keys.delete(key),
  };
  return fake;
}

function store(redis: ReturnType<typeof fakeRedis>, now: () => number) {
  const s = new BatchedRedisStore({
    redis: redis as unknown as Redis,
    prefix: 'rl:',
    now,
    flushMs: 60_000,
  });
  s.init({ windowMs: 10_000 } as Options);
  return s;
}

describe('BatchedRedisStore', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('counts below the limit without Redis, and asks Redis for the hit past it', async () => {
    const redis = fakeRedis(now);
    const s = store(redis, now);
    s.setLimit('a', 3);
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push((await s.increment('a')).totalHits);
    expect(hits).toEqual([1, 2, 3, 4]);
    expect(redis.calls).toBe(1);
    s.shutdown();
  });

  it('shares the counts of several processes through Redis at each flush', async () => {
    const redis = fakeRedis(now);
    const [a, b] = [store(redis, now), store(redis, now)];
    a.setLimit('k', 5);
    b.setLimit('k', 5);
    await a.increment('k');
    await a.increment('k');
    await a.flush();
    await b.increment('k');
    await b.flush();
    expect((await b.increment('k')).totalHits).toBe(4);
    // a has not heard of b's hits since its own flush: up to a flush interval's worth pass (the
    // documented overshoot of several processes); its hit past the limit asks Redis, which knows.
    expect((await a.increment('k')).totalHits).toBe(3);
    expect((await a.increment('k')).totalHits).toBe(4);
    expect((await a.increment('k')).totalHits).toBe(5);
    expect((await a.increment('k')).totalHits).toBe(7);
    a.shutdown();
    b.shutdown();
  });

  it('starts a new window when the old one ended', async () => {
    const redis = fakeRedis(now);
    const s = store(redis, now);
    s.setLimit('a', 1);
    await s.increment('a');
    expect((await s.increment('a')).totalHits).toBe(2);
    clock += 10_001;
    expect((await s.increment('a')).totalHits).toBe(1);
    s.shutdown();
  });

  it('throws past the limit while Redis is away (the middleware then lets the request pass)', async () => {
    const redis = fakeRedis(now);
    const s = store(redis, now);
    s.setLimit('a', 1);
    await s.increment('a');
    redis.down = true;
    await expect(s.increment('a')).rejects.toThrow('Connection is closed.');
    redis.down = false;
    // Back (and empty): counting starts again from the hits it now hears of.
    expect((await s.increment('a')).totalHits).toBe(1);
    s.shutdown();
  });
});
