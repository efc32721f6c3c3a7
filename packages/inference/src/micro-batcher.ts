// Micro-batching: items submitted while a batch is running wait and go together in the next one,
// so that one ONNX run and one transaction serve many jobs under load, while a lone item at low
// load waits only for the current tick. Every item has a deadline: a batch that hangs (a database
// that stopped answering) rejects its items with DeadlineExceeded instead of holding their jobs
// forever, and `stalledForMs` tells the health check that something is stuck.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

export interface MicroBatcherOptions {
  /** Most items in one batch. */
  maxBatchSize: number;
  /** Batches running at once (lets one batch's I/O overlap another's scoring). */
  maxInFlight: number;
  /** An item not settled this long after its submission is rejected with DeadlineExceeded. */
  deadlineMs?: number;
}

/**
 * The item was not settled within the deadline. `started` tells whether its own batch was running
 * (it may be what hangs) or it was still waiting behind others (it cannot be).
 */
export class DeadlineExceeded extends Error {
  constructor(
    deadlineMs: number,
    readonly started: boolean,
  ) {
    super(
      started
        ? `the micro-batch did not finish within ${deadlineMs} ms`
        : `the item waited ${deadlineMs} ms for a micro-batch to start`,
    );
    this.name = 'DeadlineExceeded';
  }
}

interface Pending<I, O> {
  item: I;
  /** Runs in a batch of its own. */
  alone: boolean;
  settle: (result: Settled<O>) => void;
  /** Already settled (its deadline passed while it waited): not worth running. */
  settled: () => boolean;
  /** Its batch started. */
  started: boolean;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  /** Start times of the running batches. */
  private readonly running = new Set<number>();
  private scheduled = false;
  /** An item that must run alone is running: nothing else starts. */
  private aloneRunning = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: (items: I[]) => Promise<Settled<O>[]>,
    private readonly options: MicroBatcherOptions,
    private readonly onBatch?: (size: number) => void,
  ) {}

  /**
   * Adds `item` to the next batch. `alone` gives it a batch of its own, started once nothing else
   * runs or waits, with nothing started beside it: a job that already stalled (it may be what
   * crashed a worker) cannot take innocent neighbours down with it.
   */
  submit(item: I, options: { alone?: boolean } = {}): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (result: Settled<O>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result.ok) resolve(result.value);
        else reject(result.error);
      };
      const pending: Pending<I, O> = {
        item,
        alone: options.alone === true,
        settle,
        settled: () => settled,
        started: false,
      };
      const { deadlineMs } = this.options;
      if (deadlineMs !== undefined) {
        timer = setTimeout(
          () => settle({ ok: false, error: new DeadlineExceeded(deadlineMs, pending.started) }),
          deadlineMs,
        );
      }
      this.queue.push(pending);
      this.schedule();
    });
  }

  /** Items waiting or running. */
  get pending(): number {
    return this.queue.length + this.running.size;
  }

  /** How long the oldest running batch has been running, 0 when none runs. */
  get stalledForMs(): number {
    let oldest = Infinity;
    for (const started of this.running) oldest = Math.min(oldest, started);
    return oldest === Infinity ? 0 : performance.now() - oldest;
  }

  /** Resolves once nothing is waiting or running. */
  async idle(): Promise<void> {
    if (this.queue.length === 0 && this.running.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.aloneRunning || this.running.size >= this.options.maxInFlight)
      return;
    this.scheduled = true;
    // setImmediate lets the jobs BullMQ handed over in the same tick join one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    this.dropSettled();
    for (let batch = this.take(); batch; batch = this.take()) {
      // A distinct start time per batch (the set's key), even within one clock tick.
      let started = performance.now();
      while (this.running.has(started)) started += 1e-6;
      this.running.add(started);
      const alone = this.aloneRunning;
      for (const pending of batch) pending.started = true;
      this.onBatch?.(batch.length);
      void this.runBatch(batch).finally(() => {
        this.running.delete(started);
        if (alone) this.aloneRunning = false;
        this.dropSettled();
        if (this.queue.length > 0) this.schedule();
        else if (this.running.size === 0) this.notifyIdle();
      });
    }
  }

  /**
   * The next batch to start, if one may start now: the first items that need no batch of their
   * own; else, once nothing else runs or waits, one item that does (run with nothing beside it).
   */
  private take(): Pending<I, O>[] | undefined {
    if (this.aloneRunning || this.running.size >= this.options.maxInFlight) return undefined;
    if (!this.queue.some((pending) => pending.alone)) {
      return this.queue.length > 0 ? this.queue.splice(0, this.options.maxBatchSize) : undefined;
    }
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    for (const pending of this.queue) {
      if (!pending.alone && batch.length < this.options.maxBatchSize) batch.push(pending);
      else rest.push(pending);
    }
    if (batch.length > 0) {
      this.queue = rest;
      return batch;
    }
    if (this.running.size > 0) return undefined;
    this.aloneRunning = true;
    return this.queue.splice(0, 1);
  }

  private dropSettled(): void {
    if (this.queue.some((pending) => pending.settled())) {
      this.queue = this.queue.filter((pending) => !pending.settled());
    }
  }

  private async runBatch(batch: Pending<I, O>[]): Promise<void> {
    let results: Settled<O>[];
    try {
      results = await this.run(batch.map((p) => p.item));
      if (results.length !== batch.length) {
        throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const pending of batch) pending.settle({ ok: false, error: failure });
      return;
    }
    batch.forEach((pending, i) => pending.settle(results[i] as Settled<O>));
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
