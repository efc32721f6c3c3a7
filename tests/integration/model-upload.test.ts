// Uploading external models: a valid one becomes a candidate; a bad one, a hostile one included,
// is refused with a clear error, stores nothing and leaves the API up. And how the operator routes
// behave without ADMIN_TOKEN.
import { examplesFromRows } from '@predictq/bootstrap';
import { exportOnnx, sha256Hex, trainRanker } from '@predictq/model';
import {
  generateDataset,
  labelledRows,
  readLocationProfiles,
  readTravellerProfiles,
} from '@predictq/simulation';

import { memoryBomb } from '../fixtures/hostile-onnx';
import { countRows } from '../support/database';
import { startApi } from '../support/processes';
import { startPlatform, type TestPlatform } from '../support/platform';

const TOKEN = 'upload-test-token-0123456789';
let platform: TestPlatform;
let trained: ReturnType<typeof trainRanker>;

async function upload(body: unknown) {
  const response = await fetch(`${platform.api.url}/v1/models`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      id?: string;
      status?: string;
      source?: string;
      error?: { code: string; message: string; details: { field: string }[] };
    },
  };
}

const modelCount = () => countRows(platform.database, 'select count(*)::int as n from models');

beforeAll(async () => {
  platform = await startPlatform({
    worker: false,
    env: { ADMIN_TOKEN: TOKEN, NODE_ENV: 'production' },
  });
  const dataset = generateDataset({
    seed: 11,
    requests: 300,
    travellerProfiles: await readTravellerProfiles(),
    locationProfiles: await readLocationProfiles(),
  });
  trained = trainRanker({
    examples: examplesFromRows(labelledRows(dataset)),
    seed: 11,
    name: 'external',
    trainer: { epochs: 2 },
  });
}, 60_000);

afterAll(async () => {
  await platform?.stop();
});

describe('POST /v1/models', () => {
  it('refuses bad uploads with a clear error and stores nothing', async () => {
    const good = {
      manifest: trained.manifest,
      onnx_base64: Buffer.from(trained.onnx).toString('base64'),
    };
    const corrupt = Buffer.from('definitely not onnx');
    const narrower = exportOnnx(
      { ...trained.params, layers: trained.params.layers },
      {
        inputName: 'features',
        outputName: 'score',
        featureNames: trained.manifest.features,
        producerName: 'test',
      },
    );
    const cases: [string, unknown, number, string, string][] = [
      [
        'a body that is not base64',
        { ...good, onnx_base64: 'not base64!' },
        400,
        'validation_failed',
        'onnx_base64',
      ],
      [
        'an invalid manifest',
        { ...good, manifest: { ...trained.manifest, features: [] } },
        400,
        'validation_failed',
        'manifest.features',
      ],
      [
        'bytes that do not match the sha256',
        { ...good, manifest: { ...trained.manifest, sha256: 'ab'.repeat(32) } },
        422,
        'sha256_mismatch',
        'manifest.sha256',
      ],
      [
        'bytes ONNX Runtime cannot load',
        {
          manifest: { ...trained.manifest, sha256: sha256Hex(corrupt) },
          onnx_base64: corrupt.toString('base64'),
        },
        422,
        'model_invalid',
        'onnx_base64',
      ],
      [
        'a manifest whose features do not match the input',
        {
          manifest: {
            ...trained.manifest,
            features: trained.manifest.features.slice(1),
            input: { ...trained.manifest.input, width: trained.manifest.features.length - 1 },
            sha256: sha256Hex(narrower),
          },
          onnx_base64: Buffer.from(narrower).toString('base64'),
        },
        422,
        'model_invalid',
        'onnx_base64',
      ],
    ];
    for (const [what, body, status, code, field] of cases) {
      const answer = await upload(body);
      expect({ what, status: answer.status, code: answer.body.error?.code }).toEqual({
        what,
        status,
        code,
      });
      expect(answer.body.error!.details.map((d) => d.field)).toContain(field);
    }
    expect(await modelCount()).toBe(1);
  });

  it('refuses a model that exhausts memory when run, in a child process, and stays up', async () => {
    const bomb = memoryBomb(trained.onnx, trained.manifest);
    const answer = await upload({
      manifest: bomb.manifest,
      onnx_base64: Buffer.from(bomb.onnx).toString('base64'),
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error?.code).toBe('model_invalid');
    expect(answer.body.error?.message).toMatch(/allocate|memory|crashed/i);
    expect(platform.api.running).toBe(true);
    expect((await fetch(`${platform.api.url}/healthz`)).status).toBe(200);
    expect(await modelCount()).toBe(1);
  }, 60_000);

  it('registers a valid model as a candidate, once', async () => {
    const body = {
      manifest: trained.manifest,
      onnx_base64: Buffer.from(trained.onnx).toString('base64'),
    };
    const first = await upload(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'candidate', source: 'upload' });
    const again = await upload(body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await modelCount()).toBe(2);
  });
});

describe('operator routes without ADMIN_TOKEN', () => {
  it('answer 401 in production and in development, unless ALLOW_OPEN_ADMIN opens them in development', async () => {
    for (const [mode, open, expected, log] of [
      [
        'production',
        'false',
        401,
        'ADMIN_TOKEN is not set: the operator routes (train, activate, traffic, upload, clients) answer 401',
      ],
      [
        'development',
        'false',
        401,
        'ADMIN_TOKEN is not set: the operator routes (train, activate, traffic, upload, clients) answer 401',
      ],
      [
        'development',
        'true',
        422,
        'ALLOW_OPEN_ADMIN: the operator routes are open to anyone (development only)',
      ],
    ] as const) {
      const { ADMIN_TOKEN: _token, ...env } = platform.env;
      const api = await startApi({
        ...env,
        databaseUrl: env.databaseUrl,
        queuePrefix: env.queuePrefix,
        NODE_ENV: mode,
        ALLOW_OPEN_ADMIN: open,
      });
      try {
        await api.waitForLog((l) => l.message === log);
        const response = await fetch(`${api.url}/v1/models/traffic`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            candidates: [{ model_id: '00000000-0000-4000-8000-000000000000', weight: 0.1 }],
          }),
        });
        // Open, the request reaches the split's own validation (an unknown model).
        expect({ mode, open, status: response.status }).toEqual({ mode, open, status: expected });
        if (expected === 401) {
          const body = (await response.json()) as { error: { code: string } };
          expect(body.error.code).toBe('unauthorized');
        }
      } finally {
        await api.stop();
      }
    }
  }, 60_000);
});
