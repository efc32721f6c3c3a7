// What can be wrong with an uploaded batch as a whole. Each is answered before anything is stored
// (the acceptance transaction rolls back).

export interface FileProblem {
  /** 1-based data row (the header is row 0); undefined for the file as a whole. */
  row?: number;
  /** The column, when one is to blame. */
  column?: string;
  reason: string;
}

/** The file is not a CSV/TSV table of requests: a 400 naming the row and the column. */
export class BatchFileError extends Error {
  constructor(readonly problems: readonly FileProblem[]) {
    super(`the file is not a valid table of requests: ${problems.map(describe).join('; ')}`);
    this.name = 'BatchFileError';
  }
}

/** The file is past a configured limit: a 413. */
export class BatchTooLarge extends Error {
  constructor(
    readonly limit: 'bytes' | 'rows',
    readonly max: number,
  ) {
    super(
      limit === 'bytes'
        ? `the file is larger than ${max} bytes (BATCH_MAX_BYTES)`
        : `the file has more than ${max} rows (BATCH_MAX_ROWS)`,
    );
    this.name = 'BatchTooLarge';
  }
}

/** The Idempotency-Key was used for another file. */
export class BatchIdempotencyKeyReused extends Error {
  constructor(readonly batchId: string) {
    super('the Idempotency-Key was already used with a different file');
    this.name = 'BatchIdempotencyKeyReused';
  }
}

export function describe(p: FileProblem): string {
  const where = [
    p.row === undefined ? '' : p.row === 0 ? 'header' : `row ${p.row}`,
    p.column ? `column ${p.column}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.reason}` : p.reason;
}
