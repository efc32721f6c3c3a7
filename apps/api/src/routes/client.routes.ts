// The operator's routes for clients and their API keys: create (with a first key, shown once),
// list, read, set a client's rate limit, revoke a client, issue and revoke keys, and set, rotate
// or remove a client's own webhook signing secret (shown once; never in a read). Every one of
// them needs the operator token.
import { createClientWithKey, isAnonymousClient, issueApiKey } from '@predictq/clients';
import {
  clearClientWebhookSecret,
  type ClientWithKeys,
  type Db,
  findClient,
  listClients,
  revokeApiKey,
  revokeClient,
  setClientRateLimit,
  setClientWebhookSecret,
  webhookSecretCount,
} from '@predictq/db';
import type { ClientBody, IssuedKeyBody } from '@predictq/contract';
import type { IssuedKey } from '@predictq/clients';
import { generateWebhookSecret, validSecrets } from '@predictq/webhooks';

import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';

export interface ClientRouteDeps {
  db: Db;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

function presentClient(client: Omit<ClientWithKeys, 'keys'> & Partial<ClientWithKeys>): ClientBody {
  return {
    id: client.id,
    name: client.name,
    rate_limit: client.rate_limit,
    anonymous: isAnonymousClient(client.id),
    created_at: client.created_at.toISOString(),
    revoked_at: iso(client.revoked_at),
    keys: (client.keys ?? []).map((key) => ({
      id: key.id,
      prefix: key.prefix,
      created_at: key.created_at.toISOString(),
      last_used_at: iso(key.last_used_at),
      revoked_at: iso(key.revoked_at),
    })),
    // How many, never which: a secret is shown once, when it is set.
    webhook_secrets: webhookSecretCount(client.webhook_secret),
  };
}

function presentIssued(key: IssuedKey): IssuedKeyBody {
  return { id: key.id, prefix: key.prefix, key: key.key, created_at: key.created_at.toISOString() };
}

export function clientHandlers(
  deps: ClientRouteDeps,
): Handlers<
  | 'createClient'
  | 'listClients'
  | 'getClient'
  | 'updateClient'
  | 'revokeClient'
  | 'issueKey'
  | 'revokeKey'
  | 'setWebhookSecret'
  | 'removeWebhookSecret'
> {
  const { db } = deps;

  const clientOf = async (id: string): Promise<ClientWithKeys> => {
    const client = await findClient(db, id);
    if (!client) throw notFound('client');
    return client;
  };

  return {
    createClient: async ({ body }, res) => {
      const created = await createClientWithKey(db, {
        name: body.name,
        rateLimit: body.rate_limit,
      });
      if (created.kind === 'name_taken') {
        throw new HttpError(409, 'client_exists', `a client named "${body.name}" exists`, [
          { field: 'name', message: 'must be unique' },
        ]);
      }
      res
        .status(201)
        .location(`/v1/clients/${created.client.id}`)
        .json({
          ...presentClient({
            ...created.client,
            keys: [
              {
                ...created.key,
                client_id: created.client.id,
                last_used_at: null,
                revoked_at: null,
              },
            ],
          }),
          key: presentIssued(created.key),
        });
    },

    listClients: async (_request, res) => {
      res.json({ clients: (await listClients(db)).map(presentClient) });
    },

    getClient: async ({ params: { id } }, res) => {
      res.json(presentClient(await clientOf(id)));
    },

    updateClient: async ({ params: { id }, body: { rate_limit } }, res) => {
      const client = await clientOf(id);
      const updated = await setClientRateLimit(db, client.id, rate_limit);
      if (!updated) throw notFound('client');
      res.json(presentClient({ ...updated, keys: client.keys }));
    },

    revokeClient: async ({ params: { id } }, res) => {
      const client = await clientOf(id);
      if (isAnonymousClient(client.id)) {
        throw new HttpError(409, 'anonymous_client', 'the anonymous client cannot be revoked');
      }
      const revoked = await revokeClient(db, client.id);
      res.json(presentClient({ ...revoked!, keys: client.keys }));
    },

    issueKey: async ({ params: { id } }, res) => {
      const client = await clientOf(id);
      if (isAnonymousClient(client.id) || client.revoked_at !== null) {
        throw new HttpError(
          409,
          isAnonymousClient(client.id) ? 'anonymous_client' : 'client_revoked',
          isAnonymousClient(client.id)
            ? 'the anonymous client has no keys'
            : 'the client is revoked',
        );
      }
      res.status(201).json(presentIssued(await issueApiKey(db, client.id)));
    },

    revokeKey: async ({ params: { id, key_id } }, res) => {
      const client = await clientOf(id);
      const key = await revokeApiKey(db, client.id, key_id);
      if (!key) throw notFound('key');
      res.json({
        id: key.id,
        prefix: key.prefix,
        created_at: key.created_at.toISOString(),
        last_used_at: iso(key.last_used_at),
        revoked_at: iso(key.revoked_at),
      });
    },

    setWebhookSecret: async ({ params: { id }, body }, res) => {
      const client = await clientOf(id);
      if (body.secret !== undefined && !validSecrets(body.secret)) {
        throw new HttpError(400, 'validation_failed', 'invalid body: secret', [
          { field: 'secret', message: 'not a whsec_ secret: its base64 part does not decode' },
        ]);
      }
      const secret = body.secret ?? generateWebhookSecret();
      const updated = await setClientWebhookSecret(db, client.id, secret, body.keep_previous);
      if (!updated) throw notFound('client');
      const count = webhookSecretCount(updated.webhook_secret);
      res.status(201).json({
        client_id: updated.id,
        secret,
        previous_kept: count > 1,
        webhook_secrets: count,
      });
    },

    removeWebhookSecret: async ({ params: { id }, query }, res) => {
      const client = await clientOf(id);
      const updated = await clearClientWebhookSecret(db, client.id, query.only === 'previous');
      if (!updated) throw notFound('client');
      res.json(presentClient({ ...updated, keys: client.keys }));
    },
  };
}
