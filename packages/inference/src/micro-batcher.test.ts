import { DeadlineExceeded, MicroBatcher, type Settled } from './micro-batcher';

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

describe('MicroBatcher deadlines', () => {
  it('rejects the items of a batch that hangs with DeadlineExceeded, and reports the stall', async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        await hung;
        return items.map(ok);
      },
      { maxBatchSize: 10, maxInFlight: 1, deadlineMs: 30 },
    );
    const outcome = batcher.submit(1).catch((error: unknown) => error);
    expect(await outcome).toBeInstanceOf(DeadlineExceeded);
    // Still running past its deadline: reported as a stall (how long depends on the machine's load:
    // the batch starts a turn after the submit, the deadline counts from the submit).
    expect(batcher.stalledForMs).toBeGreaterThan(0);
    release();
    await batcher.idle();
    expect(batcher.stalledForMs).toBe(0);
  });

  it('rejects an item still waiting behind a hung batch at its own deadline', async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        await hung;
        return items.map(ok);
      },
      { maxBatchSize: 1, maxInFlight: 1, deadlineMs: 40 },
    );
    const first = batcher.submit(1).catch((error: unknown) => error);
    const second = batcher.submit(2).catch((error: unknown) => error);
    expect(await second).toBeInstanceOf(DeadlineExceeded);
    expect(await first).toBeInstanceOf(DeadlineExceeded);
    release();
    await batcher.idle();
  });

  it('resolves items whose batch finishes in time', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => items.map(ok), {
      maxBatchSize: 10,
      maxInFlight: 1,
      deadlineMs: 1_000,
    });
    await expect(batcher.submit(7)).resolves.toBe(7);
  });
});

describe('MicroBatcher items that must run alone', () => {
  it('gives each of them a batch of its own and batches the others together', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map(ok);
      },
      { maxBatchSize: 10, maxInFlight: 1 },
    );
    await Promise.all([
      batcher.submit(1),
      batcher.submit(2, { alone: true }),
      batcher.submit(3),
      batcher.submit(4, { alone: true }),
    ]);
    expect(batches).toEqual([[1, 3], [2], [4]]);
  });
});

describe('MicroBatcher running an item alone', () => {
  it('starts it only once nothing else runs, and starts nothing beside it', async () => {
    const log: string[] = [];
    const gates = new Map<number, () => void>();
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        log.push(`start ${items.join(',')}`);
        await new Promise<void>((resolve) => gates.set(items[0]!, resolve));
        log.push(`end ${items.join(',')}`);
        return items.map(ok);
      },
      { maxBatchSize: 1, maxInFlight: 2 },
    );
    const tick = () => new Promise((r) => setImmediate(r));
    const done = [batcher.submit(1), batcher.submit(2, { alone: true })];
    await tick();
    done.push(batcher.submit(3));
    await tick();
    // 1 and 3 run side by side; 2 waits for both.
    expect(log).toEqual(['start 1', 'start 3']);
    gates.get(1)!();
    await tick();
    await tick();
    expect(log).toEqual(['start 1', 'start 3', 'end 1']);
    gates.get(3)!();
    await tick();
    await tick();
    expect(log.slice(3)).toEqual(['end 3', 'start 2']);
    done.push(batcher.submit(4));
    await tick();
    await tick();
    // 4 waits while 2 runs alone.
    expect(log.at(-1)).toBe('start 2');
    gates.get(2)!();
    await tick();
    await tick();
    gates.get(4)!();
    await Promise.all(done);
    expect(log.slice(5)).toEqual(['end 2', 'start 4', 'end 4']);
  });
});
