// Producer-side batching for the API's hot writes: the calls made in one turn of the event loop
// (the requests read together) share one statement, so one round trip and one commit. Each caller
// gets what it would have got alone. A statement that fails for the values of some row (a data or
// integrity error) is retried row by row, so a bad row fails alone and never its neighbours; any
// other failure (the database unavailable, a timeout) is every caller's.
import type { Db } from './client';
import { isRowFault } from './errors';

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export class TurnBatcher<I, O> {
  private readonly pending = new WeakMap<Db, Pending<I, O>[]>();

  /** `run` stores the inputs in one statement and returns one output per input, in order. */
  constructor(private readonly run: (db: Db, inputs: readonly I[]) => Promise<O[]>) {}

  /** Joins this turn's batch for `db`; settles with this input's own output or error. */
  submit(db: Db, input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      let batch = this.pending.get(db);
      if (!batch) {
        const fresh: Pending<I, O>[] = [];
        batch = fresh;
        this.pending.set(db, fresh);
        setImmediate(() => {
          this.pending.delete(db);
          void this.flush(db, fresh);
        });
      }
      batch.push({ input, resolve, reject });
    });
  }

  private async flush(db: Db, batch: readonly Pending<I, O>[]): Promise<void> {
    try {
      const outputs = await this.run(
        db,
        batch.map((p) => p.input),
      );
      batch.forEach((p, i) => p.resolve(outputs[i]!));
    } catch (error) {
      if (batch.length === 1 || !isRowFault(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      await Promise.all(
        batch.map((p) => this.run(db, [p.input]).then(([output]) => p.resolve(output!), p.reject)),
      );
    }
  }
}
