// A Redis key prefix of its own for a test, and removal of exactly the keys under it.
import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

import { REDIS_URL } from './env';

export function testQueuePrefix(): string {
  return `predictq-test-${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under `prefix:`; never touches another key. */
export async function deleteKeysWithPrefix(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
