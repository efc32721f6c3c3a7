// Micro-batching: items submitted while a batch is running wait and go together in the next one,
// so that one ONNX run and one transaction serve many jobs under load, while a lone item at low
// load waits only for the current tick.

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

export interface MicroBatcherOptions {
  /** Most items in one batch. */
  maxBatchSize: number;
  /** Batches running at once (lets one batch's I/O overlap another's scoring). */
  maxInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: Error) => void;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: (items: I[]) => Promise<Settled<O>[]>,
    private readonly options: MicroBatcherOptions,
    private readonly onBatch?: (size: number) => void,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting or running. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Resolves once nothing is waiting or running. */
  async idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // setImmediate lets the jobs BullMQ handed over in the same tick join one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);
      this.inFlight += 1;
      this.onBatch?.(batch.length);
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.schedule();
        else if (this.inFlight === 0) this.notifyIdle();
      });
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
      for (const pending of batch) pending.reject(failure);
      return;
    }
    batch.forEach((pending, i) => {
      const result = results[i] as Settled<O>;
      if (result.ok) pending.resolve(result.value);
      else pending.reject(result.error);
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
