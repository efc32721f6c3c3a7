// The operator's routes for clients and their API keys: create (with a first key, shown once),
// list, read, set a client's rate limit, revoke a client, issue and revoke keys. Every one of
// them needs the operator token.
import type { RequestHandler } from 'express';
import { createClientWithKey, isAnonymousClient, issueApiKey } from '@predictq/clients';
import {
  type ClientWithKeys,
  type Db,
  findClient,
  listClients,
  revokeApiKey,
  revokeClient,
  setClientRateLimit,
} from '@predictq/db';
import {
  type ClientBody,
  createClientBody,
  type IssuedKeyBody,
  updateClientBody,
} from '@predictq/contract';
import type { IssuedKey } from '@predictq/clients';

import { HttpError, notFound } from '../http/errors';
import { router } from '../http/router';
import { parseBody, uuidParam } from '../http/validate';

export interface ClientRouteDeps {
  db: Db;
  admin: RequestHandler;
  jsonBody: RequestHandler;
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
  };
}

function presentIssued(key: IssuedKey): IssuedKeyBody {
  return { id: key.id, prefix: key.prefix, key: key.key, created_at: key.created_at.toISOString() };
}

export function clientRoutes(deps: ClientRouteDeps) {
  const { db, admin } = deps;
  const routes = router();

  const clientOf = async (id: unknown): Promise<ClientWithKeys> => {
    const client = await findClient(db, uuidParam(id, 'client'));
    if (!client) throw notFound('client');
    return client;
  };

  routes.post('/v1/clients', admin, deps.jsonBody, async (req, res) => {
    const body = parseBody(createClientBody, req);
    const created = await createClientWithKey(db, { name: body.name, rateLimit: body.rate_limit });
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
            { ...created.key, client_id: created.client.id, last_used_at: null, revoked_at: null },
          ],
        }),
        key: presentIssued(created.key),
      });
  });

  routes.get('/v1/clients', admin, async (_req, res) => {
    res.json({ clients: (await listClients(db)).map(presentClient) });
  });

  routes.get('/v1/clients/:id', admin, async (req, res) => {
    res.json(presentClient(await clientOf(req.params.id)));
  });

  routes.patch('/v1/clients/:id', admin, deps.jsonBody, async (req, res) => {
    const client = await clientOf(req.params.id);
    const { rate_limit } = parseBody(updateClientBody, req);
    const updated = await setClientRateLimit(db, client.id, rate_limit);
    if (!updated) throw notFound('client');
    res.json(presentClient({ ...updated, keys: client.keys }));
  });

  routes.delete('/v1/clients/:id', admin, async (req, res) => {
    const client = await clientOf(req.params.id);
    if (isAnonymousClient(client.id)) {
      throw new HttpError(409, 'anonymous_client', 'the anonymous client cannot be revoked');
    }
    const revoked = await revokeClient(db, client.id);
    res.json(presentClient({ ...revoked!, keys: client.keys }));
  });

  routes.post('/v1/clients/:id/keys', admin, async (req, res) => {
    const client = await clientOf(req.params.id);
    if (isAnonymousClient(client.id) || client.revoked_at !== null) {
      throw new HttpError(
        409,
        isAnonymousClient(client.id) ? 'anonymous_client' : 'client_revoked',
        isAnonymousClient(client.id) ? 'the anonymous client has no keys' : 'the client is revoked',
      );
    }
    res.status(201).json(presentIssued(await issueApiKey(db, client.id)));
  });

  routes.delete('/v1/clients/:id/keys/:keyId', admin, async (req, res) => {
    const client = await clientOf(req.params.id);
    const key = await revokeApiKey(db, client.id, uuidParam(req.params.keyId, 'key'));
    if (!key) throw notFound('key');
    res.json({
      id: key.id,
      prefix: key.prefix,
      created_at: key.created_at.toISOString(),
      last_used_at: iso(key.last_used_at),
      revoked_at: iso(key.revoked_at),
    });
  });

  return routes;
}
