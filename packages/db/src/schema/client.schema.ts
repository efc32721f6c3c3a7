// Clients of the API and their keys. A request presents a key (Authorization: Bearer pq_...);
// predictions, idempotency keys and rate limits belong to the key's client. One fixed row, the
// anonymous client, stands for callers without a key (when the API allows them).
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

import { createdAt, timestampTz } from './columns';

/** The client of requests without a key; inserted by the migration that creates the table. */
export const ANONYMOUS_CLIENT_ID = '00000000-0000-0000-0000-000000000000';

export const clients = pgTable(
  'clients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Requests per rate-limit window; null: the API's default (RATE_LIMIT_MAX). */
    rate_limit: integer('rate_limit'),
    /**
     * The client's own webhook signing secrets (whsec_..., space-separated while rotating); null:
     * WEBHOOK_SECRET.
     */
    webhook_secret: text('webhook_secret'),
    created_at: createdAt(),
    /** Set when an operator revoked the client: none of its keys works any more. */
    revoked_at: timestampTz('revoked_at'),
  },
  (t) => [uniqueIndex('clients_name_key').on(t.name)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    client_id: uuid('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    /** The key's first characters, shown to tell keys apart (the key itself is never stored). */
    prefix: text('prefix').notNull(),
    /** sha256 (hex) of the whole key: enough for a random 256-bit key, and a cheap lookup. */
    key_hash: text('key_hash').notNull(),
    created_at: createdAt(),
    /** Refreshed at most once per key cache period of each API process. */
    last_used_at: timestampTz('last_used_at'),
    revoked_at: timestampTz('revoked_at'),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_key').on(t.key_hash),
    index('api_keys_client_id_idx')
      .on(t.client_id)
      .where(sql`${t.revoked_at} is null`),
  ],
);

export type ClientRow = typeof clients.$inferSelect;
export type NewClientRow = typeof clients.$inferInsert;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;
