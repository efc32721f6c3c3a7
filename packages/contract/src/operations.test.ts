import { type Operation, successStatus } from './operation';
import { OPERATION_IDS, OPERATIONS } from './operations';

const ops = OPERATION_IDS.map((id) => [id, OPERATIONS[id] as Operation] as const);

describe('the table of operations', () => {
  it('declares each method and path once', () => {
    const keys = ops.map(([, op]) => `${op.method} ${op.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(ops)('%s: its path parameters are exactly those its params schema validates', (_, op) => {
    const inPath = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(op.params?.shape ?? {}).sort()).toEqual(inPath);
  });

  it.each(ops)('%s: declares a successful answer, and its example is a valid request', (_, op) => {
    expect(successStatus(op)).toBeGreaterThanOrEqual(200);
    const example = op.example ?? {};
    if (op.params) expect(op.params.safeParse(example.params).success).toBe(true);
    if (op.query) expect(op.query.safeParse(example.query ?? {}).success).toBe(true);
    if (op.body && example.body !== undefined) {
      expect(op.body.schema.safeParse(example.body).error).toBeUndefined();
    }
  });
});
