import { MicroBatcher, type Settled } from './micro-batcher';

const ok = <T>(value: T): Settled<T> => ({ ok: true, value });

describe('MicroBatcher', () => {
  it('puts items submitted in the same tick into one batch and resolves each with its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((n) => ok(n * 10));
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('collects items that arrive while a batch runs into the next batch, up to the size limit', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map(ok);
      },
      { maxBatchSize: 2, maxInFlight: 1 },
    );
    const first = batcher.submit(0);
    await new Promise((r) => setImmediate(r));
    const rest = [1, 2, 3, 4, 5].map((n) => batcher.submit(n));
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[0], [1, 2], [3, 4], [5]]);
  });

  it('rejects only the item whose result is an error', async () => {
    const batcher = new MicroBatcher<number, number>(
      async (items) =>
        items.map((n) => (n === 2 ? { ok: false, error: new Error('bad two') } : ok(n))),
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad two'));
  });

  it('rejects every item of a batch that throws, and keeps serving later items', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return items.map(ok);
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.every((s) => s.status === 'rejected')).toBe(true);
    await expect(batcher.submit(3)).resolves.toBe(3);
  });

  it('reports idle only once nothing waits or runs', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        await gate;
        return items.map(ok);
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    const job = batcher.submit(1);
    let idle = false;
    const waiting = batcher.idle().then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(idle).toBe(false);
    expect(batcher.pending).toBe(1);
    release();
    await Promise.all([job, waiting]);
    expect(idle).toBe(true);
  });
});
