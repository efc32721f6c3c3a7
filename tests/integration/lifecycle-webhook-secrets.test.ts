// Per-client webhook secrets, set by the operator (through the typed client, so the table of
// operations carries them): a client's deliveries verify with its own secret and not with
// WEBHOOK_SECRET; during a rotation (keep_previous) both its old and new secrets verify; ending
// the rotation leaves the new one; removing the secrets hands signing back to WEBHOOK_SECRET.
// A secret is shown once: no read or list of clients carries one. Bad input is a 400 naming
// the field.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiError, PredictqClient } from '@predictq/client';
import { Webhook } from 'standardwebhooks';

import { familyRequest } from '../fixtures/domain';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

const TOKEN = 'webhook-secrets-test-operator-token';
const PLATFORM_SECRET = `whsec_${Buffer.from('predictq-platform-webhook-secret').toString('base64')}`;

let platform: TestPlatform;
let operator: PredictqClient;
let server: Server;
let hookUrl: string;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  platform = await startPlatform({
    env: {
      ADMIN_TOKEN: TOKEN,
      WEBHOOK_SECRET: PLATFORM_SECRET,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
    },
  });
  operator = new PredictqClient({
    baseUrl: platform.api.url,
    operatorToken: TOKEN,
    validateResponses: true,
  });
}, 180_000);

afterAll(async () => {
  await operator?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await platform?.stop();
}, 60_000);

/** Submits a prediction as the client and returns the delivery its receiver got. */
async function deliveryFor(apiKey: string) {
  const submitted = await call<{ id: string }>(platform.api.url, 'POST', '/v1/predictions', {
    body: { ...familyRequest, webhook: hookUrl },
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(submitted.status).toBe(202);
  return eventually(
    'the receiver got the delivery',
    async () =>
      received.find((r) => (JSON.parse(r.body) as { id: string }).id === submitted.body.id),
    30_000,
  );
}

const verifies = (secret: string, got: { headers: IncomingMessage['headers']; body: string }) => {
  try {
    new Webhook(secret).verify(got.body, got.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

describe('per-client webhook secrets', () => {
  it("signs with the client's own secret, both during a rotation, and WEBHOOK_SECRET once removed", async () => {
    const created = await operator.request('createClient', { body: { name: 'hooked-app' } });
    const params = { id: created.id };
    expect(created.webhook_secrets).toBe(0);

    const first = await operator.request('setWebhookSecret', { params, body: {} });
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(first).toMatchObject({
      client_id: created.id,
      previous_kept: false,
      webhook_secrets: 1,
    });
    // Shown once: reads and the list say how many, never which.
    const read = await operator.request('getClient', { params });
    expect(read.webhook_secrets).toBe(1);
    const listed = await call(platform.api.url, 'GET', '/v1/clients', {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect(JSON.stringify(read)).not.toContain('whsec_');

    const own = await deliveryFor(created.key.key);
    expect(verifies(first.secret, own)).toBe(true);
    expect(verifies(PLATFORM_SECRET, own)).toBe(false);

    // Rotation: the new secret and the previous one both sign.
    const second = await operator.request('setWebhookSecret', {
      params,
      body: { keep_previous: true },
    });
    expect(second).toMatchObject({ previous_kept: true, webhook_secrets: 2 });
    expect(second.secret).not.toBe(first.secret);
    const rotating = await deliveryFor(created.key.key);
    expect(String(rotating.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(first.secret, rotating)).toBe(true);
    expect(verifies(second.secret, rotating)).toBe(true);
    expect(verifies(PLATFORM_SECRET, rotating)).toBe(false);

    // Ending the rotation keeps the newest only.
    const ended = await operator.request('removeWebhookSecret', {
      params,
      query: { only: 'previous' },
    });
    expect(ended.webhook_secrets).toBe(1);
    const after = await deliveryFor(created.key.key);
    expect(verifies(second.secret, after)).toBe(true);
    expect(verifies(first.secret, after)).toBe(false);

    // A rotation again, then a set without keep_previous: only the given secret signs.
    await operator.request('setWebhookSecret', { params, body: { keep_previous: true } });
    const given = `whsec_${Buffer.from('a secret the operator chose itself').toString('base64')}`;
    const chosen = await operator.request('setWebhookSecret', { params, body: { secret: given } });
    expect(chosen).toMatchObject({ secret: given, previous_kept: false, webhook_secrets: 1 });
    const single = await deliveryFor(created.key.key);
    expect(verifies(given, single)).toBe(true);
    expect(verifies(second.secret, single)).toBe(false);

    // Removed: the platform's WEBHOOK_SECRET signs again.
    const removed = await operator.request('removeWebhookSecret', { params, query: {} });
    expect(removed.webhook_secrets).toBe(0);
    const fallback = await deliveryFor(created.key.key);
    expect(verifies(PLATFORM_SECRET, fallback)).toBe(true);
    expect(verifies(given, fallback)).toBe(false);
  }, 180_000);

  it('refuses a malformed secret naming the field, and an unknown client with 404', async () => {
    const created = await operator.request('createClient', { body: { name: 'picky-app' } });
    for (const secret of [
      'not-a-secret',
      'whsec_short',
      'whsec_AAAAAAAAAAAAAAAA whsec_BBBBBBBBBBBBBBBB',
    ]) {
      const refused = await call<{ error: { details: { field: string }[] } }>(
        platform.api.url,
        'POST',
        `/v1/clients/${created.id}/webhook-secret`,
        { body: { secret }, headers: { authorization: `Bearer ${TOKEN}` } },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.details[0]!.field).toBe('secret');
    }
    const unknown = operator.request('setWebhookSecret', {
      params: { id: '6e6e3af3-aaff-4fef-9ffb-f079cf4a8f60' },
      body: {},
    });
    await expect(unknown).rejects.toMatchObject({ status: 404 });
    await expect(unknown).rejects.toBeInstanceOf(ApiError);
    // Without the operator token: refused.
    const anonymous = await call(
      platform.api.url,
      'POST',
      `/v1/clients/${created.id}/webhook-secret`,
      { body: {} },
    );
    expect(anonymous.status).toBe(401);
    expect(
      (await operator.request('getClient', { params: { id: created.id } })).webhook_secrets,
    ).toBe(0);
  });
});
