// The clients' part of the API contract: operators create clients and keys, set a client's rate
// limit, and revoke either.
import { storableText } from '@predictq/domain';
import { z } from 'zod';

import { INT4_MAX } from './api.schemas';

const rateLimit = z
  .number()
  .int()
  .min(1)
  .max(INT4_MAX)
  .nullable()
  .describe('Requests per rate-limit window; null: the API default (RATE_LIMIT_MAX).');

export const createClientBody = z
  .strictObject({
    name: storableText()
      .min(1)
      .max(100)
      .regex(/^[\x21-\x7e]+$/, 'visible ASCII characters only')
      .describe('A unique name, e.g. the application.'),
    rate_limit: rateLimit.optional(),
  })
  .meta({ id: 'ClientRequest' });

export const updateClientBody = z
  .strictObject({ rate_limit: rateLimit })
  .meta({ id: 'ClientUpdate' });

export const apiKeySchema = z
  .object({
    id: z.uuid(),
    prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime().nullable(),
    revoked_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const issuedKeySchema = z
  .object({
    id: z.uuid(),
    prefix: z.string(),
    key: z.string().describe('The key: shown this once, never stored (only its hash is).'),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'IssuedApiKey' });

export const clientSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    rate_limit: z.number().int().nullable(),
    anonymous: z.boolean().describe('The client of requests without a key.'),
    created_at: z.iso.datetime(),
    revoked_at: z.iso.datetime().nullable(),
    keys: z.array(apiKeySchema),
  })
  .meta({ id: 'Client' });

export const clientCreatedSchema = clientSchema
  .extend({ key: issuedKeySchema })
  .meta({ id: 'ClientCreated' });

export const clientListSchema = z
  .object({ clients: z.array(clientSchema) })
  .meta({ id: 'ClientList' });

export type ClientBody = z.infer<typeof clientSchema>;
export type ApiKeyBody = z.infer<typeof apiKeySchema>;
export type IssuedKeyBody = z.infer<typeof issuedKeySchema>;
