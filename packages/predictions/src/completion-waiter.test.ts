import { CompletionWaiter } from './completion-waiter';

describe('CompletionWaiter', () => {
  it('wakes only the requests waiting for an ended prediction', async () => {
    const waiter = new CompletionWaiter();
    const woken: string[] = [];
    const a = waiter.wait('a', 10_000);
    const b = waiter.wait('b', 10_000);
    void a.promise.then(() => woken.push('a'));
    void b.promise.then(() => woken.push('b'));
    waiter.notify(['a', 'c']);
    await new Promise((r) => setImmediate(r));
    expect(woken).toEqual(['a']);
    expect(waiter.size).toBe(1);
    b.cancel();
    await b.promise;
    expect(waiter.size).toBe(0);
  });

  it('resolves at the timeout when nothing ends', async () => {
    const waiter = new CompletionWaiter();
    const started = Date.now();
    await waiter.wait('x', 30).promise;
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(waiter.size).toBe(0);
  });

  it('wakes everyone on wakeAll', async () => {
    const waiter = new CompletionWaiter();
    const waits = [waiter.wait('a', 10_000), waiter.wait('a', 10_000), waiter.wait('b', 10_000)];
    waiter.wakeAll();
    await Promise.all(waits.map((w) => w.promise));
    expect(waiter.size).toBe(0);
  });
});
