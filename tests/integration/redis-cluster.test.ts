// predictq on a real Redis Cluster: three masters started here (redis-server in cluster mode,
// joined by `redis-cli --cluster create`, on free ports, removed afterwards), the API and the
// worker with REDIS_CLUSTER=true. A prediction goes through (submit, score, poll, feedback), and
// every queue key sits in its queue's hash slot, so BullMQ's multi-key scripts work.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { isUnfinished } from '@predictq/domain';
import { Cluster } from 'ioredis';

import { freePort } from '../../scripts/lib/local-servers/free-port';
import { familyRequest } from '../fixtures/domain';
import { startPlatform, type TestPlatform } from '../support/platform';

const run = promisify(execFile);

/** A free port whose cluster bus port (port + 10000) exists too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 < 65_536) return port;
  }
}

let dir: string;
const nodes: ChildProcess[] = [];
const ports: number[] = [];
let platform: TestPlatform | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'predictq-cluster-'));
  for (let i = 0; i < 3; i++) {
    const port = await clusterPort();
    ports.push(port);
    const nodeDir = path.join(dir, String(port));
    await run('mkdir', ['-p', nodeDir]);
    nodes.push(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          nodeDir,
          '--maxmemory-policy',
          'noeviction',
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  for (const port of ports) {
    for (let i = 0; ; i++) {
      const pong = await run('redis-cli', ['-p', String(port), 'ping']).catch(() => undefined);
      if (pong?.stdout.trim() === 'PONG') break;
      if (i > 50) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((p) => `127.0.0.1:${p}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  for (let i = 0; ; i++) {
    const info = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
    if (info.stdout.includes('cluster_state:ok')) break;
    if (i > 100) throw new Error('the cluster did not reach cluster_state:ok');
    await new Promise((r) => setTimeout(r, 100));
  }
  platform = await startPlatform({
    env: { REDIS_URL: `redis://127.0.0.1:${ports[0]}`, REDIS_CLUSTER: 'true' },
  });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  for (const node of nodes) node.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('predictq on a Redis Cluster of three masters', () => {
  it('scores a prediction and takes its feedback', async () => {
    const client = platform!.client;
    const accepted = await client.submitPrediction(familyRequest);
    let prediction = await client.getPrediction(accepted.id, 10);
    while (isUnfinished(prediction.status))
      prediction = await client.getPrediction(accepted.id, 10);
    expect(prediction.status).toBe('succeeded');
    expect(prediction.output!.ranking).toHaveLength(10);
    const chosen = prediction.output!.ranking[0]!;
    const feedback = await client.sendFeedback(accepted.id, chosen.location_id);
    expect(feedback).toMatchObject({ outcome: 'chosen', location_id: chosen.location_id });
  }, 60_000);

  it("keeps every key of a queue in that queue's hash slot, and the queues on the cluster", async () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: ports[0]! }]);
    try {
      // nodes() lists the masters only once the client has read the slot map.
      await new Promise<void>((resolve, reject) => {
        cluster.once('ready', resolve);
        cluster.once('error', reject);
      });
      expect(cluster.nodes('master')).toHaveLength(3);
      const prefix = platform!.env.queuePrefix;
      const keys: string[] = [];
      for (const node of cluster.nodes('master')) {
        keys.push(...(await node.keys(`${prefix}*`)));
      }
      const inference = keys.filter((k) => k.startsWith(`${prefix}:{inference}:inference:`));
      expect(inference.length).toBeGreaterThan(0);
      // No untagged key but the rate limit's counters: one key per command, so any slot will do.
      const untagged = keys.filter((k) => !k.includes('{'));
      expect(untagged.filter((k) => !k.startsWith(`${prefix}:ratelimit:`))).toEqual([]);
      const slots = new Set(await Promise.all(inference.map((k) => cluster.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);
    } finally {
      cluster.disconnect();
    }
  });

  it('exports the queue counts from the cluster on /metrics', async () => {
    const text = await (await fetch(`${platform!.api.url}/metrics`)).text();
    expect(text).toMatch(/predictq_queue_jobs\{queue="inference",state="waiting"\} 0/);
  });
});
