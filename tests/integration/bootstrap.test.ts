// First start: an empty database gets the catalogue and the baseline model exactly once, even
// when several processes start at the same moment.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { ensurePlatform } from '@predictq/bootstrap';
import { getActiveModel } from '@predictq/db';
import { createLogger } from '@predictq/logging';
import { modelManifestSchema, sha256Hex } from '@predictq/model';

import { countRows, createTestDatabase, type TestDatabase } from '../support/database';
import { runModelDir } from '../support/env';

let database: TestDatabase;
const lines: Record<string, unknown>[] = [];
const stream = new PassThrough();
stream.on('data', (chunk: Buffer) => {
  for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
    lines.push(JSON.parse(line) as Record<string, unknown>);
});
const logger = createLogger({ service: 'test', format: 'json', stream });

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('ensurePlatform', () => {
  it('seeds the catalogue and loads the baseline once, however many processes start at once', async () => {
    const options = { db: database.db, modelDir: runModelDir(), seed: 42, logger };
    const states = await Promise.all([
      ensurePlatform(options),
      ensurePlatform(options),
      ensurePlatform(options),
    ]);
    expect(states.filter((s) => s.catalogue === 'seeded')).toHaveLength(1);
    expect(states.filter((s) => s.model === 'loaded')).toHaveLength(1);
    expect(states.filter((s) => s.catalogue === 'present' && s.model === 'present')).toHaveLength(
      2,
    );

    const { rows } = await database.pool.query(
      `select (select count(*) from locations)::int as locations, (select count(*) from models)::int as models`,
    );
    expect(rows[0]).toEqual({ locations: 210, models: 1 });
    const active = await getActiveModel(database.db);
    const file = await readFile(path.join(runModelDir(), 'baseline', 'model.onnx'));
    expect(active).toMatchObject({ name: 'baseline', status: 'active', sha256: sha256Hex(file) });
    const manifest = modelManifestSchema.parse(active!.manifest);
    expect(manifest.metrics.holdout.auc).toBeGreaterThan(0.9);
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'seeded the catalogue from the simulation',
        'loaded the baseline model and made it active',
      ]),
    );
  });

  it('refuses a baseline file whose bytes do not match its manifest', async () => {
    const other = await createTestDatabase();
    const modelDir = await mkdtemp(path.join(os.tmpdir(), 'predictq-test-models-'));
    try {
      await cp(path.join(runModelDir(), 'baseline'), path.join(modelDir, 'baseline'), {
        recursive: true,
      });
      await writeFile(path.join(modelDir, 'baseline', 'model.onnx'), 'tampered');
      await expect(ensurePlatform({ db: other.db, modelDir, seed: 42, logger })).rejects.toThrow(
        /sha256/,
      );
      expect(await countRows(other, 'select count(*)::int as n from models')).toBe(0);
    } finally {
      await rm(modelDir, { recursive: true, force: true });
      await other.drop();
    }
  });
});
