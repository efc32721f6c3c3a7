// What an operator does with clients (through the operator routes or `npm run clients`).
import {
  ANONYMOUS_CLIENT_ID,
  type ClientRow,
  createClient,
  type Db,
  insertApiKey,
} from '@predictq/db';

import { generateApiKey } from './api-key';

export interface IssuedKey {
  id: string;
  prefix: string;
  /** The key itself: shown this once, never stored. */
  key: string;
  created_at: Date;
}

export type ClientCreation =
  { kind: 'created'; client: ClientRow; key: IssuedKey } | { kind: 'name_taken' };

/** A new key of a client. */
export async function issueApiKey(db: Db, clientId: string): Promise<IssuedKey> {
  const { key, prefix, hash } = generateApiKey();
  const row = await insertApiKey(db, { clientId, prefix, keyHash: hash });
  return { id: row.id, prefix: row.prefix, key, created_at: row.created_at };
}

/** A new client with its first key, in one transaction. */
export async function createClientWithKey(
  db: Db,
  input: { name: string; rateLimit?: number | null | undefined },
): Promise<ClientCreation> {
  return db.transaction(async (tx) => {
    const client = await createClient(tx, input);
    if (!client) return { kind: 'name_taken' } as const;
    const { key, prefix, hash } = generateApiKey();
    const row = await insertApiKey(tx, { clientId: client.id, prefix, keyHash: hash });
    return {
      kind: 'created',
      client,
      key: { id: row.id, prefix: row.prefix, key, created_at: row.created_at },
    } as const;
  });
}

/** The anonymous client stands for callers without a key: it has none, and stays. */
export const isAnonymousClient = (id: string) => id === ANONYMOUS_CLIENT_ID;
