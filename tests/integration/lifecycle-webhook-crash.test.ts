// A worker killed (SIGKILL) while a webhook attempt is in flight still leads to a delivery: the
// receiver holds the first attempt open, the worker dies mid-request, and once its job lock
// expires a new worker takes the stalled job and sends the delivery again, with the same
// webhook-id and a valid signature; the delivery log shows it delivered. Lock and stall checks
// are shortened through the configuration (JOB_LOCK_MS, STALLED_INTERVAL_MS).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

import { familyRequest } from '../fixtures/domain';
import { call, eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { type PlatformProcess, startWorker } from '../support/processes';

const SECRET = `whsec_${Buffer.from('predictq-webhook-crash-test-secret').toString('base64')}`;

let platform: TestPlatform;
let server: Server;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];
const workers: PlatformProcess[] = [];

beforeAll(async () => {
  // The first attempt is held open (never answered); later ones succeed.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (received.length > 1) res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  platform = await startPlatform({
    env: {
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
      // The held attempt would time out after 3 s; the worker is killed well before that.
      // The webhook job's lock is then max(JOB_LOCK_MS, 3 × timeout) = 9 s.
      WEBHOOK_TIMEOUT_MS: '3000',
      JOB_LOCK_MS: '1000',
      STALLED_INTERVAL_MS: '500',
    },
  });
}, 180_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await platform?.stop();
}, 60_000);

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  attempt_log: { status_code: number | null }[];
}

const deliveries = async (id: string) =>
  (
    await call<{ deliveries: Delivery[] }>(
      platform.api.url,
      'GET',
      `/v1/predictions/${id}/webhooks`,
    )
  ).body.deliveries;

it('a worker killed mid-delivery still leads to a delivery, with the same webhook-id', async () => {
  const { port } = server.address() as AddressInfo;
  const submitted = await call<{ id: string }>(platform.api.url, 'POST', '/v1/predictions', {
    body: { ...familyRequest, webhook: `http://127.0.0.1:${port}/hook` },
  });
  expect(submitted.status).toBe(202);
  const id = submitted.body.id;

  await eventually('the receiver holds the first attempt', async () =>
    received.length === 1 ? true : undefined,
  );
  // In flight: nothing answered, nothing logged, the delivery still pending.
  const [inFlight] = await deliveries(id);
  expect(inFlight).toMatchObject({ status: 'pending', attempts: 0 });
  const killed = await platform.worker!.stop('SIGKILL');
  expect(killed.signal).toBe('SIGKILL');
  expect(received).toHaveLength(1);

  workers.push(await startWorker(platform.env));
  const delivered = await eventually(
    'the delivery is delivered by the new worker',
    async () => {
      const [d] = await deliveries(id);
      return d?.status === 'delivered' ? d : undefined;
    },
    60_000,
  );
  expect(delivered.id).toBe(inFlight!.id);
  expect(delivered.attempt_log.at(-1)!.status_code).toBe(204);
  expect(received).toHaveLength(2);
  expect(received.map((r) => r.headers['webhook-id'])).toEqual([delivered.id, delivered.id]);
  const payload = new Webhook(SECRET).verify(
    received[1]!.body,
    received[1]!.headers as Record<string, string>,
  ) as { id: string; status: string };
  expect(payload).toMatchObject({ id, status: 'succeeded' });
}, 120_000);
