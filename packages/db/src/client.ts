// The PostgreSQL pool and the drizzle handle every repository function takes.
import path from 'node:path';

import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Client, Pool } from 'pg';

import * as schema from './schema';

/** drizzle over the schema: the pool or a transaction (functions that only use drizzle take this). */
export type Queryable = NodePgDatabase<typeof schema>;

/** The pool-backed handle; hot paths also run named statements on its pool ($client). */
export type Db = Queryable & { $client: Pool };

export interface Database {
  db: Db;
  pool: Pool;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Called for errors on idle clients (a restarted server), which would otherwise crash. */
  onError?: (error: Error) => void;
  /**
   * false: commits return before the WAL reaches disk. Only for processes whose writes can be
   * redone after a database crash (the worker: the recovery sweep re-scores lost completions).
   */
  synchronousCommit?: boolean;
  /**
   * PostgreSQL's statement_timeout for every statement of the pool; the client itself gives up a
   * second later (a server that stopped answering). Unset: no limit (scripts).
   */
  statementTimeoutMs?: number;
  /** Longest wait for a pooled connection, or for a new one to open. */
  acquireTimeoutMs?: number;
  /**
   * PostgreSQL's JIT compilation of expensive plans; off unless true. The platform's statements
   * are short: compiling costs more than it saves (a model's 30-day quality at 1M predictions
   * took 36-43 ms with JIT, 6-8 ms without).
   */
  jit?: boolean;
}

export function createDatabase(options: DatabaseOptions): Database {
  const settings: string[] = [];
  if (options.jit !== true) settings.push('-c jit=off');
  if (options.synchronousCommit === false) settings.push('-c synchronous_commit=off');
  if (options.statementTimeoutMs !== undefined) {
    settings.push(`-c statement_timeout=${options.statementTimeoutMs}`);
  }
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'predictq',
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // A server that vanished without closing the socket (a dead host) is noticed.
    keepAlive: true,
    ...(options.statementTimeoutMs === undefined
      ? {}
      : { query_timeout: options.statementTimeoutMs + 1_000 }),
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
  });
  pool.on('error', (error) => options.onError?.(error));
  // pg-pool listens for a client's 'error' only while it is idle, and pool.query() while its
  // query runs. A client checked out with pool.connect() (drizzle's transactions, the advisory
  // locks, the batch feeder) whose connection breaks emits 'error' with no listener: an uncaught
  // exception that stops the process when PostgreSQL restarts. While checked out, the error is
  // reported here; the client's queries fail on their own and release drops it from the pool.
  const onCheckedOutError = (error: Error) => options.onError?.(error);
  pool.on('acquire', (client) => client.on('error', onCheckedOutError));
  pool.on('release', (_error, client) => client.removeListener('error', onCheckedOutError));
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return { db, pool, close: () => pool.end() };
}

export const MIGRATIONS_FOLDER = path.resolve(__dirname, '..', 'migrations');

// Any constant shared by every process of the platform: concurrent starts migrate one at a time.
const MIGRATION_LOCK = 0x70_72_65_64; // "pred"

/**
 * Applies pending migrations; safe to call from several processes at once. They run on a
 * connection of their own, without the pool's deadlines: a migration may rewrite a large table.
 */
export async function runMigrations(pool: Pool): Promise<void> {
  const { connectionString, application_name } = pool.options;
  const client = new Client({ connectionString, application_name });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client, { casing: 'snake_case' }), {
        migrationsFolder: MIGRATIONS_FOLDER,
      });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/**
 * Runs `fn` while holding the session-level advisory lock `key`, so that one process at a time
 * does it however many run; returns undefined without running it when another holds the lock.
 * Losing the connection releases the lock with the session.
 */
export async function tryWithAdvisoryLock<T>(
  pool: Pool,
  key: number,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS locked',
      [key],
    );
    if (!rows[0]?.locked) return undefined;
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]).catch((error: unknown) => {
        // Dropping the session releases the lock.
        broken = error instanceof Error ? error : new Error(String(error));
      });
    }
  } finally {
    client.release(broken);
  }
}

/**
 * Creates the database named in `url` when it does not exist, connecting to the server's
 * `postgres` database. Returns true when it created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // not "database does not exist"
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '42P04') return false; // created meanwhile
    throw new Error(`cannot create database "${name}": ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Migrations of this build not yet applied to the database: drizzle records each applied one in
 * drizzle.__drizzle_migrations with its folder timestamp.
 */
export async function pendingMigrations(pool: Pool): Promise<number> {
  const local = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const { rows } = await pool
    .query<{ applied: string | null }>(
      'SELECT max(created_at)::text AS applied FROM drizzle.__drizzle_migrations',
    )
    .catch((error: unknown) => {
      // No drizzle schema or table yet: nothing was ever applied.
      if (['3F000', '42P01'].includes((error as { code?: string }).code ?? '')) {
        return { rows: [{ applied: null }] };
      }
      throw error;
    });
  const applied = Number(rows[0]?.applied ?? 0);
  return local.filter((migration) => migration.folderMillis > applied).length;
}

export interface StartupDatabaseOptions extends DatabaseOptions {
  /**
   * MIGRATE_ON_START. false: neither create the database nor migrate it (a one-off job does, once
   * per release), but wait until its schema is this build's, for at most `migrationWaitMs`.
   */
  migrate?: boolean;
  migrationWaitMs?: number;
  /** Called while waiting for the migration job, with the count still pending. */
  onWaitingForMigrations?: (pending: number) => void;
}

/**
 * What every process does at start: create the database when missing, open the pool, apply the
 * pending migrations (or, with migrate: false, wait for them to be applied). `created` tells
 * whether the database was new.
 */
export async function openMigratedDatabase(
  options: StartupDatabaseOptions,
): Promise<{ database: Database; created: boolean }> {
  const migrateNow = options.migrate ?? true;
  const created = migrateNow ? await ensureDatabase(options.url) : false;
  const database = createDatabase(options);
  try {
    if (migrateNow) await runMigrations(database.pool);
    else await waitForMigrations(database.pool, options);
  } catch (error) {
    await database.close();
    throw error;
  }
  return { database, created };
}

async function waitForMigrations(pool: Pool, options: StartupDatabaseOptions): Promise<void> {
  const deadline = Date.now() + (options.migrationWaitMs ?? 300_000);
  for (;;) {
    const pending = await pendingMigrations(pool).catch(() => -1);
    if (pending === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        pending < 0
          ? 'MIGRATE_ON_START=false: the database cannot be read; is it created and migrated?'
          : `MIGRATE_ON_START=false: the database is ${pending} migration(s) behind this build; ` +
              'run the migration job (node apps/worker/src/migrate.js, or npm run db:migrate)',
      );
    }
    options.onWaitingForMigrations?.(pending);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
