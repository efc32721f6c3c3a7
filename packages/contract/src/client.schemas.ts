// The clients' part of the API contract: operators create clients and keys, set a client's rate
// limit and its own webhook signing secret, and revoke either.
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
    webhook_secrets: z
      .number()
      .int()
      .min(0)
      .describe(
        "How many own webhook signing secrets the client has (never shown): 0 signs with the platform's WEBHOOK_SECRET, 2 during a rotation.",
      ),
  })
  .meta({ id: 'Client' });

export const clientCreatedSchema = clientSchema
  .extend({ key: issuedKeySchema })
  .meta({ id: 'ClientCreated' });

export const clientListSchema = z
  .object({ clients: z.array(clientSchema) })
  .meta({ id: 'ClientList' });

export const webhookSecretBody = z
  .strictObject({
    secret: z
      .string()
      .regex(
        /^whsec_[A-Za-z0-9+/=]{16,}$/,
        'a whsec_ secret: whsec_ and base64 (at least 16 chars)',
      )
      .optional()
      .describe('The new secret; without it one is generated (whsec_ and 32 random bytes).'),
    keep_previous: z
      .boolean()
      .default(false)
      .describe(
        'Keep the current secret alongside the new one (both sign each delivery) until a later call without it, or a DELETE ?only=previous.',
      ),
  })
  .meta({ id: 'WebhookSecretRequest' });

export const webhookSecretSchema = z
  .object({
    client_id: z.uuid(),
    secret: z.string().describe('The new secret: shown this once.'),
    previous_kept: z.boolean().describe('Whether the previous secret still signs (a rotation).'),
    webhook_secrets: z.number().int().describe('How many secrets sign now (1, or 2 in rotation).'),
  })
  .meta({ id: 'WebhookSecret' });

export const webhookSecretRemoveQuery = z.strictObject({
  only: z
    .enum(['previous'])
    .optional()
    .describe(
      'previous: end a rotation, keeping the newest secret; without it every own secret goes, and WEBHOOK_SECRET signs again.',
    ),
});

export type ClientBody = z.infer<typeof clientSchema>;
export type ApiKeyBody = z.infer<typeof apiKeySchema>;
export type IssuedKeyBody = z.infer<typeof issuedKeySchema>;
