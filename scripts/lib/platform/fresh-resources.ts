// What a fresh platform owns and gives back: a database of its own (created, then dropped) and a
// Redis key prefix of its own (exactly its keys deleted afterwards).
import { randomBytes } from 'node:crypto';

import { quoteIdentifier } from '@predictq/db';
import { redisTarget } from '@predictq/queue';
import { Redis } from 'ioredis';
import { Client } from 'pg';

/** The same server as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export const randomSuffix = () => randomBytes(4).toString('hex');

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops it, closing any connection still open to it. */
  drop(): Promise<void>;
}

/** A new, empty database `<prefix>_<random>` on the server of `serverUrl`. */
export async function createFreshDatabase(
  serverUrl: string,
  prefix: string,
): Promise<FreshDatabase> {
  const name = `${prefix}_${randomSuffix()}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
  };
}

/** Deletes every key under `prefix:` (BullMQ's keys of that prefix) and nothing else. */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisTarget(redisUrl), { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
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
