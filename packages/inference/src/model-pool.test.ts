import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';

import type { ModelSummary } from '@predictq/db';
import { createLogger } from '@predictq/logging';

import { type LoadedModel, ModelPool } from './model-pool';

const logger = createLogger({ service: 'test', format: 'json', stream: new PassThrough() });

function summary(
  id: string,
  status: 'active' | 'candidate',
  weight = 0,
  version = 1,
): ModelSummary {
  return { id, version, status, traffic_weight: weight } as ModelSummary;
}

function fakeLoader(released: string[], failing = new Set<string>()) {
  return async (model: ModelSummary): Promise<LoadedModel> => {
    if (failing.has(model.id)) throw new Error(`cannot load ${model.id}`);
    return {
      id: model.id,
      version: model.version,
      encoder: { width: 1, encode: () => undefined },
      scorer: {
        score: async (_x, rows) => new Float32Array(rows),
        release: async () => {
          released.push(model.id);
        },
      },
    };
  };
}

describe('ModelPool', () => {
  it('routes about the canary weight to the canary and the rest to the active model', async () => {
    const pool = new ModelPool(fakeLoader([]), logger);
    await pool.sync([summary('active', 'active'), summary('canary', 'candidate', 0.1, 2)]);
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    const canaryShare = ids.filter((id) => pool.assign(id) === 'canary').length / ids.length;
    expect(canaryShare).toBeGreaterThan(0.08);
    expect(canaryShare).toBeLessThan(0.12);
    expect(ids.every((id) => pool.assign(id) === pool.assign(id))).toBe(true);
    expect(pool.assignment.map((a) => [a.id, Math.round(a.share * 100)])).toEqual([
      ['canary', 10],
      ['active', 90],
    ]);
  });

  it('releases a retired model only after the batch using it finished', async () => {
    const released: string[] = [];
    const pool = new ModelPool(fakeLoader(released), logger);
    await pool.sync([summary('old', 'active')]);
    let finish: () => void = () => undefined;
    const using = pool.use('old', () => new Promise<void>((r) => (finish = r)));
    await pool.sync([summary('new', 'active', 0, 2)]);
    expect(released).toEqual([]);
    expect(pool.assign(randomUUID())).toBe('new');
    finish();
    await using;
    await new Promise((r) => setImmediate(r));
    expect(released).toEqual(['old']);
  });

  it('leaves out a model that fails to load and retries it at the next sync', async () => {
    const failing = new Set(['broken']);
    const pool = new ModelPool(fakeLoader([], failing), logger);
    const serving = [summary('broken', 'active')];
    expect(await pool.sync(serving)).toBe(true);
    expect(pool.assign(randomUUID())).toBeUndefined();
    failing.clear();
    expect(await pool.sync(serving)).toBe(true);
    expect(pool.assign(randomUUID())).toBe('broken');
    expect(await pool.sync(serving)).toBe(false);
  });
});
