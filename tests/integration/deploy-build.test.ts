// The Docker image's runtime, proven without Docker: `npm run build` output with production
// dependencies only, run with plain node (no TypeScript loader) as the image runs it, on a
// database that does not exist yet: the API creates and migrates it, the worker seeds the
// catalogue and trains the baseline from the built profile tables, and a prediction is scored.
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { PredictqClient } from '@predictq/client';
import { quoteIdentifier } from '@predictq/db';
import { Client } from 'pg';

import { familyRequest } from '../fixtures/domain';
import { buildRuntime, startBuilt } from '../support/built-runtime';
import { ADMIN_URL, databaseUrl, REDIS_URL, runDatabasePrefix } from '../support/env';
import type { PlatformProcess } from '../support/processes';
import { deleteKeysWithPrefix, testQueuePrefix } from '../support/redis';

let out: string;
let modelDir: string;
let api: PlatformProcess | undefined;
let worker: PlatformProcess | undefined;
const database = `${runDatabasePrefix()}_built`;
const queuePrefix = testQueuePrefix();

beforeAll(async () => {
  out = await buildRuntime();
  modelDir = await mkdtemp(path.join(os.tmpdir(), 'predictq-built-models-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop()]);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);
  await admin.end();
  await deleteKeysWithPrefix(queuePrefix);
  await Promise.all([
    out && rm(out, { recursive: true, force: true }),
    modelDir && rm(modelDir, { recursive: true, force: true }),
  ]);
});

const filesUnder = (dir: string): string[] =>
  readdirSync(path.join(out, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(out, path.join(e.parentPath, e.name)));

describe('the built runtime', () => {
  it('holds JavaScript only, the data files, and manifests whose main is the built entry', async () => {
    const files = [...filesUnder('apps'), ...filesUnder('packages')];
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'apps/api/src/main.js',
        'apps/worker/src/main.js',
        'packages/db/migrations/0000_core_schema.sql',
        'packages/db/migrations/meta/_journal.json',
        'packages/simulation/data/travellers.tsv',
        'packages/simulation/data/locations.tsv',
      ]),
    );
    expect(files.some((f) => f.includes('.test.'))).toBe(false);
    const manifest = JSON.parse(await readFile(path.join(out, 'packages/db/package.json'), 'utf8'));
    expect(manifest.main).toBe('src/index.js');
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      expect(readdirSync(out)).toContain(file);
    }
  });

  it('runs the API and the worker with plain node: a new database, the first start, a scored prediction', async () => {
    const env = {
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'a-test-admin-token-0123456789',
      DATABASE_URL: databaseUrl(database),
      REDIS_URL,
      QUEUE_PREFIX: queuePrefix,
      MODEL_DIR: modelDir,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    api = startBuilt('built api', out, 'apps/api/src/main.js', { ...env, PORT: '0' });
    const listening = await api.waitForLog((l) => l.message === 'api listening');
    expect(api.logs.some((l) => l.message === 'created the database')).toBe(true);
    const apiUrl = `http://127.0.0.1:${String(listening.port)}`;

    worker = startBuilt('built worker', out, 'apps/worker/src/main.js', {
      ...env,
      WORKER_METRICS_PORT: '0',
    });
    const started = await worker.waitForLog(
      (l) => l.message === 'inference worker started',
      90_000,
    );
    const workerUrl = `http://127.0.0.1:${String(started.metricsPort)}`;

    expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${workerUrl}/healthz`)).status).toBe(200);
    let ready = await fetch(`${apiUrl}/readyz`);
    for (let i = 0; ready.status !== 200 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      ready = await fetch(`${apiUrl}/readyz`);
    }
    expect(ready.status).toBe(200);

    const client = new PredictqClient({ baseUrl: apiUrl, validateResponses: true });
    try {
      const accepted = await client.submitPrediction(familyRequest);
      let prediction = await client.getPrediction(accepted.id, 10);
      for (let i = 0; prediction.status !== 'succeeded' && i < 3; i++) {
        prediction = await client.getPrediction(accepted.id, 10);
      }
      expect(prediction.status).toBe('succeeded');
      expect(prediction.output?.ranking.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
    expect(await (await fetch(`${apiUrl}/metrics`)).text()).toMatch(
      /predictq_predictions_submitted_total/,
    );
    expect(await (await fetch(`${workerUrl}/metrics`)).text()).toMatch(
      /predictq_predictions_completed_total/,
    );
  }, 120_000);
});
