// Clients and their API keys: what operators create and revoke, and the lookup of a presented
// key (by its hash) on the API's hot path.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';

import type { Db, Queryable } from './client';
import { runPrepared } from './prepared';
import { ANONYMOUS_CLIENT_ID, apiKeys, type ApiKeyRow, clients, type ClientRow } from './schema';

export type ClientWithKeys = ClientRow & { keys: Omit<ApiKeyRow, 'key_hash'>[] };

const UNIQUE_VIOLATION = '23505';

/** A new client, or undefined when the name is taken. */
export async function createClient(
  db: Queryable,
  input: { name: string; rateLimit?: number | null | undefined },
): Promise<ClientRow | undefined> {
  try {
    const [row] = await db
      .insert(clients)
      .values({ name: input.name, rate_limit: input.rateLimit ?? null })
      .returning();
    return row;
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
    if ((error as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION) return undefined;
    throw error;
  }
}

const keyColumns = {
  id: apiKeys.id,
  client_id: apiKeys.client_id,
  prefix: apiKeys.prefix,
  created_at: apiKeys.created_at,
  last_used_at: apiKeys.last_used_at,
  revoked_at: apiKeys.revoked_at,
};

async function withKeys(db: Queryable, rows: ClientRow[]): Promise<ClientWithKeys[]> {
  if (rows.length === 0) return [];
  const keys = await db
    .select(keyColumns)
    .from(apiKeys)
    .orderBy(asc(apiKeys.created_at))
    .where(
      inArray(
        apiKeys.client_id,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((row) => ({ ...row, keys: keys.filter((k) => k.client_id === row.id) }));
}

export async function listClients(db: Queryable): Promise<ClientWithKeys[]> {
  return withKeys(db, await db.select().from(clients).orderBy(asc(clients.created_at)));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A client by id, or by name (the CLI's way of naming one). */
export async function findClient(
  db: Queryable,
  idOrName: string,
): Promise<ClientWithKeys | undefined> {
  const [row] = await db
    .select()
    .from(clients)
    .where(UUID.test(idOrName) ? eq(clients.id, idOrName) : eq(clients.name, idOrName));
  return row ? (await withKeys(db, [row]))[0] : undefined;
}

/** Sets (or with null, clears) a client's own rate limit. */
export async function setClientRateLimit(
  db: Queryable,
  id: string,
  rateLimit: number | null,
): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set({ rate_limit: rateLimit })
    .where(eq(clients.id, id))
    .returning();
  return row;
}

/** How many secrets a client's webhook_secret column holds (space-separated; newest first). */
export const webhookSecretCount = (column: string | null): number =>
  column ? column.split(/\s+/).filter(Boolean).length : 0;

/**
 * Sets a client's own webhook signing secret. With keepPrevious the newest of its current
 * secrets keeps signing next to the new one (a rotation; older ones go), else only the new one
 * signs. One statement, so concurrent rotations never interleave.
 */
export async function setClientWebhookSecret(
  db: Queryable,
  id: string,
  secret: string,
  keepPrevious: boolean,
): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set({
      webhook_secret: keepPrevious
        ? sql`${secret}::text || coalesce(' ' || split_part(${clients.webhook_secret}, ' ', 1), '')`
        : secret,
    })
    .where(eq(clients.id, id))
    .returning();
  return row;
}

/**
 * Removes a client's own webhook secrets (WEBHOOK_SECRET signs again), or with onlyPrevious
 * ends a rotation: the newest secret stays.
 */
export async function clearClientWebhookSecret(
  db: Queryable,
  id: string,
  onlyPrevious: boolean,
): Promise<ClientRow | undefined> {
  const [row] = await db
    .update(clients)
    .set({
      webhook_secret: onlyPrevious
        ? sql`nullif(split_part(${clients.webhook_secret}, ' ', 1), '')`
        : null,
    })
    .where(eq(clients.id, id))
    .returning();
  return row;
}

/** Revokes a client (and so each of its keys); the anonymous client cannot be revoked. */
export async function revokeClient(db: Queryable, id: string): Promise<ClientRow | undefined> {
  if (id === ANONYMOUS_CLIENT_ID) return undefined;
  const [row] = await db
    .update(clients)
    .set({ revoked_at: sql`coalesce(${clients.revoked_at}, now())` })
    .where(eq(clients.id, id))
    .returning();
  return row;
}

export async function insertApiKey(
  db: Queryable,
  input: { clientId: string; prefix: string; keyHash: string },
): Promise<Omit<ApiKeyRow, 'key_hash'>> {
  const [row] = await db
    .insert(apiKeys)
    .values({ client_id: input.clientId, prefix: input.prefix, key_hash: input.keyHash })
    .returning(keyColumns);
  return row!;
}

/** Revokes one key of a client (by the key's id or its visible prefix). */
export async function revokeApiKey(
  db: Queryable,
  clientId: string,
  idOrPrefix: string,
): Promise<Omit<ApiKeyRow, 'key_hash'> | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revoked_at: sql`coalesce(${apiKeys.revoked_at}, now())` })
    .where(
      and(
        eq(apiKeys.client_id, clientId),
        UUID.test(idOrPrefix) ? eq(apiKeys.id, idOrPrefix) : eq(apiKeys.prefix, idOrPrefix),
        isNull(apiKeys.revoked_at),
      ),
    )
    .returning(keyColumns);
  return row;
}

export interface KeyOwner {
  clientId: string;
  clientName: string;
  keyId: string | null;
  rateLimit: number | null;
}

// Finds the live key with this hash and its live client, and records the use: one round trip.
const AUTHENTICATE_KEY = `
  UPDATE api_keys k SET last_used_at = now()
  FROM clients c
  WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND c.id = k.client_id AND c.revoked_at IS NULL
  RETURNING c.id AS "clientId", c.name AS "clientName", k.id AS "keyId", c.rate_limit AS "rateLimit"`;

/** The owner of a live key (marking the key used), or undefined for an unknown or revoked key. */
export async function authenticateApiKey(db: Db, keyHash: string): Promise<KeyOwner | undefined> {
  const [row] = await runPrepared<KeyOwner>(db, 'authenticate_api_key', AUTHENTICATE_KEY, [
    keyHash,
  ]);
  return row;
}

/** The anonymous client, as a key owner (its rate limit applies to each address). */
export async function anonymousClient(db: Db): Promise<KeyOwner> {
  const [row] = await runPrepared<{ rateLimit: number | null; name: string }>(
    db,
    'anonymous_client',
    'SELECT rate_limit AS "rateLimit", name FROM clients WHERE id = $1',
    [ANONYMOUS_CLIENT_ID],
  );
  return {
    clientId: ANONYMOUS_CLIENT_ID,
    clientName: row?.name ?? 'anonymous',
    keyId: null,
    rateLimit: row?.rateLimit ?? null,
  };
}
