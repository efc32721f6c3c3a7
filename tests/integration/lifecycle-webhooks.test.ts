// Signed webhooks against real local receivers: the signature verifies with the receiver's
// secret (the standardwebhooks library), a receiver failing 3 times gets the delivery with the
// same webhook-id, a redirect is not followed (a failed attempt in the log), a dead receiver
// dead-letters the delivery while the prediction stays readable, a hanging receiver never slows
// scoring, and redelivery sends it again. Retry timing is shortened through the configuration.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { familyRequest } from '../fixtures/domain';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

const SECRET = `whsec_${Buffer.from('predictq-lifecycle-webhook-test-secret').toString('base64')}`;
let platform: TestPlatform;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

interface Receiver {
  url: string;
  received: Received[];
  server: Server;
}

async function receiver(
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      answer(req, res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

const receivers: Receiver[] = [];

beforeAll(async () => {
  platform = await startPlatform({
    env: {
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_TIMEOUT_MS: '1500',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
    },
  });
}, 90_000);

afterAll(async () => {
  for (const r of receivers) r.server.closeAllConnections();
  await Promise.all(receivers.map((r) => new Promise((resolve) => r.server.close(resolve))));
  await platform?.stop();
}, 60_000);

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  attempt_log: { status_code: number | null; latency_ms: number; error: string | null }[];
}

const submit = (webhook: string, extra: Record<string, unknown> = {}) =>
  call<{ id: string }>(platform.api.url, 'POST', '/v1/predictions', {
    body: { ...familyRequest, webhook, ...extra },
  });

const deliveries = async (id: string) =>
  (
    await call<{ deliveries: Delivery[] }>(
      platform.api.url,
      'GET',
      `/v1/predictions/${id}/webhooks`,
    )
  ).body.deliveries;

async function settled(id: string, status: string): Promise<Delivery> {
  return eventually(
    `the delivery is ${status}`,
    async () => {
      const [d] = await deliveries(id);
      return d?.status === status ? d : undefined;
    },
    30_000,
  );
}

describe('signed webhooks', () => {
  it('delivers the finished prediction, signed: the receiver verifies it with its secret', async () => {
    const ok = await receiver((_req, res) => res.writeHead(204).end());
    receivers.push(ok);
    const { body, status } = await submit(ok.url);
    expect(status).toBe(202);
    const delivery = await settled(body.id, 'delivered');
    expect(delivery.attempts).toBe(1);
    expect(delivery.attempt_log[0]!.status_code).toBe(204);
    const [got] = ok.received;
    const verified = new Webhook(SECRET).verify(
      got!.body,
      got!.headers as Record<string, string>,
    ) as {
      id: string;
      status: string;
      output: { ranking: unknown[] };
    };
    expect(verified.id).toBe(body.id);
    expect(verified.status).toBe('succeeded');
    expect(verified.output.ranking.length).toBeGreaterThan(0);
    expect(got!.headers['webhook-id']).toBe(delivery.id);
    // A tampered body does not verify.
    expect(() =>
      new Webhook(SECRET).verify(
        got!.body.replace('succeeded', 'failed'),
        got!.headers as Record<string, string>,
      ),
    ).toThrow();
    // The payload carried the ranking: it counts as shown, so feedback is taken.
    const feedback = await call(platform.api.url, 'POST', `/v1/predictions/${body.id}/feedback`, {
      body: { location_id: null },
    });
    expect(feedback.status).toBe(201);
  });

  it('retries a receiver that fails 3 times, with the same webhook-id, until it succeeds', async () => {
    const flaky = await receiver((_req, res, n) => res.writeHead(n <= 3 ? 503 : 200).end());
    receivers.push(flaky);
    const { body } = await submit(flaky.url);
    const delivery = await settled(body.id, 'delivered');
    expect(delivery.attempts).toBe(4);
    expect(delivery.attempt_log.map((a) => a.status_code)).toEqual([503, 503, 503, 200]);
    expect(new Set(flaky.received.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([delivery.id]),
    );
  });

  it('does not follow a redirect: a failed attempt, logged, and the prediction stays readable', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const redirecting = await receiver((_req, res) =>
      res.writeHead(307, { location: target.url }).end(),
    );
    receivers.push(target, redirecting);
    const { body } = await submit(redirecting.url);
    const delivery = await settled(body.id, 'failed');
    expect(delivery.attempts).toBe(4);
    expect(delivery.attempt_log[0]!.status_code).toBe(307);
    expect(delivery.attempt_log[0]!.error).toMatch(/redirect/);
    expect(target.received).toHaveLength(0);
    const read = await call<{ status: string }>(
      platform.api.url,
      'GET',
      `/v1/predictions/${body.id}`,
    );
    expect(read.body.status).toBe('succeeded');
  });

  it('dead-letters a delivery to a receiver that is down, and redelivers it on request', async () => {
    const gone = await receiver((_req, res) => res.writeHead(200).end());
    const url = gone.url;
    await new Promise((resolve) => gone.server.close(resolve));
    const { body } = await submit(url);
    const dead = await settled(body.id, 'failed');
    expect(dead.attempt_log.every((a) => a.status_code === null && a.error)).toBe(true);
    const read = await call<{ status: string }>(
      platform.api.url,
      'GET',
      `/v1/predictions/${body.id}`,
    );
    expect(read.body.status).toBe('succeeded');
    // Back up on the same port: a redelivery arrives, with the same webhook-id.
    const port = Number(new URL(url).port);
    const back: Received[] = [];
    const server = createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        back.push({ headers: req.headers, body: data });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    receivers.push({ url, received: back, server });
    const again = await call(
      platform.api.url,
      'POST',
      `/v1/predictions/${body.id}/webhooks/${dead.id}/redeliver`,
    );
    expect(again.status).toBe(202);
    await settled(body.id, 'delivered');
    expect(back[0]!.headers['webhook-id']).toBe(dead.id);
  });

  it('a hanging receiver never slows scoring', async () => {
    const hanging = await receiver(() => undefined);
    receivers.push(hanging);
    const hung = await Promise.all(Array.from({ length: 8 }, () => submit(hanging.url)));
    await eventually('the hanging receiver is called', async () =>
      hanging.received.length > 0 ? true : undefined,
    );
    const started = Date.now();
    const quick = await call<{ status: string }>(platform.api.url, 'POST', '/v1/predictions', {
      body: familyRequest,
      headers: { prefer: 'wait=10' },
    });
    expect(quick.status).toBe(200);
    expect(quick.body.status).toBe('succeeded');
    expect(Date.now() - started).toBeLessThan(1_500);
    // The ones submitted before may still be in the queue on a loaded machine (the quick one
    // can be claimed by another slot first); they end while their deliveries still hang.
    for (const { body } of hung) {
      await eventually(
        `prediction ${body.id} succeeded`,
        async () => {
          const read = await call<{ status: string }>(
            platform.api.url,
            'GET',
            `/v1/predictions/${body.id}`,
          );
          return read.body.status === 'succeeded' ? true : undefined;
        },
        5_000,
      );
    }
  });

  it('refuses private targets at submission, naming the field', async () => {
    for (const target of ['http://localhost:9/x', 'https://192.168.1.1/x', 'http://[fe80::1]/x']) {
      const refused = await call<{ error: { details: { field: string }[] } }>(
        platform.api.url,
        'POST',
        '/v1/predictions',
        { body: { ...familyRequest, webhook: target } },
      );
      expect(refused.status).toBe(422);
      expect(refused.body.error.details[0]!.field).toBe('webhook');
    }
  });
});
