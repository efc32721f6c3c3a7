// Finds the processes of a platform from the outside, for the per-process report:
// - PostgreSQL: the server's postmaster (the parent of this connection's backend) and all its
//   children; and, within them, the backends connected to the platform's database;
// - Redis: the process_id of INFO server;
// - the API and the workers of a platform the bench did not start: the processes holding the
//   PostgreSQL connections named predictq-api and predictq-worker (their application_name) to
//   the platform's database, matched through /proc/net/tcp and /proc/<pid>/fd.
// A server on another machine has no /proc entry here: it is left out, and the report says so.
import { readFile } from 'node:fs/promises';

import { redisTarget } from '@predictq/queue';
import { Redis } from 'ioredis';
import { Client } from 'pg';

import type { ProcessGroup } from './process-monitor';
import { listPids, readStat } from './proc-files';
import { pidsConnectedFrom } from './proc-net';

export interface Discovered {
  groups: ProcessGroup[];
  /**
   * The processes whose connections to the database carry this application_name: found once,
   * at the first sample that sees any (a platform idle for a while may hold no connection).
   */
  byApplicationName(name: string, includes: string): ProcessGroup;
  /** What could not be found, said in the report. */
  notes: string[];
  close(): Promise<void>;
}

async function isProcess(pid: number, name: RegExp): Promise<boolean> {
  const stat = await readStat(pid);
  return stat !== undefined && name.test(stat.comm);
}

/** The children of `pid` (from the kernel's list, else by scanning every process's parent). */
async function childrenOf(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    const stats = await Promise.all((await listPids()).map(readStat));
    return stats.filter((s) => s?.ppid === pid).map((s) => s!.pid);
  }
}

interface Query {
  query<T extends object>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** One query at a time on the connection: the groups sample concurrently. */
function serialized(client: Client): Query {
  let last: Promise<unknown> = Promise.resolve();
  return {
    query: <T extends object>(sql: string, params: unknown[] = []) => {
      const next = last.then(() => client.query<T>(sql, params));
      last = next.catch(() => undefined);
      return next;
    },
  };
}

async function postgresGroups(client: Query, database: string): Promise<ProcessGroup[]> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = (await readStat(rows[0]!.pid))?.ppid;
  if (postmaster === undefined || !(await isProcess(postmaster, /postgres|postmaster/))) return [];
  return [
    {
      name: 'postgres',
      includes: `the whole server: postmaster ${postmaster} and all its children (every database's backends, the WAL writer, the checkpointer, ...)`,
      resolve: async () => [postmaster, ...(await childrenOf(postmaster))],
    },
    {
      name: 'postgresDatabase',
      includes: `the backends connected to ${database} (part of postgres)`,
      resolve: async () => {
        const { rows: backends } = await client.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        return backends.map((b) => b.pid);
      },
    },
  ];
}

async function redisGroup(redisUrl: string): Promise<ProcessGroup | undefined> {
  const redis = new Redis(redisTarget(redisUrl), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    if (!pid || !(await isProcess(pid, /redis/))) return undefined;
    return {
      name: 'redis',
      includes: `redis-server ${pid}`,
      resolve: () => Promise.resolve([pid]),
    };
  } finally {
    redis.disconnect();
  }
}

async function pidsByApplicationName(client: Query, applicationName: string, serverPort: number) {
  const { rows } = await client.query<{ port: number }>(
    `SELECT client_port AS port FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = $1 AND client_port > 0`,
    [applicationName],
  );
  return pidsConnectedFrom(
    rows.map((r) => r.port),
    serverPort,
  );
}

export const staticGroup = (
  name: string,
  includes: string,
  pids: readonly number[],
): ProcessGroup => ({
  name,
  includes,
  resolve: () => Promise.resolve([...pids]),
});

/**
 * The PostgreSQL and Redis groups of the platform on `databaseUrl` and `redisUrl`. The connection
 * stays open to list the database's backends at every sample; close() ends it.
 */
export async function discoverServers(databaseUrl: string, redisUrl: string): Promise<Discovered> {
  const connection = new Client({
    connectionString: databaseUrl,
    application_name: 'predictq-bench-monitor',
  });
  // Ctrl-C removes the platform while the measurement still samples: DROP DATABASE ... (FORCE)
  // ends this connection, which must not crash the bench before it deleted the Redis keys.
  // A broken connection still fails the samples that use it.
  connection.on('error', () => undefined);
  await connection.connect();
  const client = serialized(connection);
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const groups = await postgresGroups(client, database);
  const notes: string[] = [];
  if (groups.length === 0)
    notes.push('PostgreSQL runs elsewhere (no postmaster in /proc here): not measured');
  const redis = await redisGroup(redisUrl).catch(() => undefined);
  if (redis) groups.push(redis);
  else notes.push('Redis runs elsewhere (its process_id is not in /proc here): not measured');
  const serverPort = Number(new URL(databaseUrl).port || 5432);
  const byApplicationName = (name: string, includes: string): ProcessGroup => {
    let found: number[] = [];
    return {
      name: name.replace(/^predictq-/, ''),
      includes,
      resolve: async () => {
        if (found.length === 0) found = await pidsByApplicationName(client, name, serverPort);
        return found;
      },
    };
  };
  return { groups, notes, byApplicationName, close: () => connection.end() };
}
