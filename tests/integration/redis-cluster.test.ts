// predictq on a real Redis Cluster: three masters started here (redis-server in cluster mode,
// joined by `redis-cli --cluster create`, on free ports, removed afterwards), the API and the
// worker with REDIS_CLUSTER=true. A prediction goes through (submit, score, poll, feedback), a
// training run from the feedback succeeds on the training queue, the sweep re-enqueues a
// prediction whose job was lost, and every queue key sits in its queue's hash slot, so BullMQ's
// multi-key scripts work.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { randomUUID } from 'node:crypto';

import { PredictqClient } from '@predictq/client';
import { createPrediction } from '@predictq/db';
import { enrichRequest, isUnfinished } from '@predictq/domain';
import { Cluster } from 'ioredis';

import { freePort } from '../../scripts/lib/local-servers/free-port';
import { familyRequest } from '../fixtures/domain';
import { eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';
import { simulateSessions } from '../support/sessions';

const run = promisify(execFile);
const TOKEN = 'redis-cluster-operator-token-0123456789';

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
    env: {
      REDIS_URL: `redis://127.0.0.1:${ports[0]}`,
      REDIS_CLUSTER: 'true',
      ADMIN_TOKEN: TOKEN,
      TRAINING_MIN_ROWS: '100',
      // A lost job is found within seconds (none is lost otherwise: the re-enqueue of a job
      // still queued is a no-op, its id being the prediction's).
      SWEEP_INTERVAL_MS: '1000',
      SWEEP_AFTER_MS: '3000',
    },
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

  it('runs a training job from the feedback to its end', async () => {
    await simulateSessions(platform!.client, 20, { seed: 15 });
    const operator = new PredictqClient({
      baseUrl: platform!.api.url,
      operatorToken: TOKEN,
      validateResponses: true,
    });
    try {
      const started = await operator.request('trainModel', { body: {} });
      const ended = await eventually(
        'the training run ended',
        async () => {
          const training = await operator.request('getTraining', { params: { id: started.id } });
          return training.status === 'succeeded' || training.status === 'failed'
            ? training
            : undefined;
        },
        180_000,
      );
      expect({ status: ended.status, error: ended.error }).toEqual({
        status: 'succeeded',
        error: null,
      });
      expect(ended.model_id).not.toBeNull();
    } finally {
      await operator.close();
    }
  }, 300_000);

  it('re-enqueues a prediction whose job was lost, through the sweep', async () => {
    // Accepted (in PostgreSQL) but never queued: what a Redis failover that lost the job leaves.
    const id = randomUUID();
    await createPrediction(platform!.database.db, { id, request: enrichRequest(familyRequest) });
    const prediction = await eventually(
      'the lost prediction succeeded',
      async () => {
        const p = await platform!.client.getPrediction(id);
        return isUnfinished(p.status) ? undefined : p;
      },
      60_000,
    );
    expect(prediction.status).toBe('succeeded');
    const metrics = await (await fetch(`${platform!.worker!.url}/metrics`)).text();
    const reenqueued =
      /predictq_recovered_total\{kind="prediction",action="reenqueued"\} (\d+)/.exec(metrics);
    expect(Number(reenqueued?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
  }, 90_000);

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
      const training = keys.filter((k) => k.startsWith(`${prefix}:{training}:training:`));
      expect(training.length).toBeGreaterThan(0);
      // No untagged key but the rate limit's counters: one key per command, so any slot will do.
      const untagged = keys.filter((k) => !k.includes('{'));
      expect(untagged.filter((k) => !k.startsWith(`${prefix}:ratelimit:`))).toEqual([]);
      for (const queueKeys of [inference, training]) {
        const slots = new Set(
          await Promise.all(queueKeys.map((k) => cluster.cluster('KEYSLOT', k))),
        );
        expect(slots.size).toBe(1);
      }
    } finally {
      cluster.disconnect();
    }
  });

  it('exports the queue counts from the cluster on /metrics', async () => {
    const text = await (await fetch(`${platform!.api.url}/metrics`)).text();
    expect(text).toMatch(/predictq_queue_jobs\{queue="inference",state="waiting"\} 0/);
  });
});
