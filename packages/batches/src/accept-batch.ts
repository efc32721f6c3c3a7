// Accepting a batch: the file is read as a stream (papaparse over the request body), each row is
// validated, and every row is stored in ONE transaction with multi-row inserts of a chunk of rows
// each: a valid row as a queued prediction of the batch, an invalid one as its errors. Anything
// wrong with the file as a whole (not a table, a missing or unknown column, a broken quote), or a
// file past its limits, rolls the transaction back: nothing is stored. Nothing is enqueued here:
// the batch feeder hands the predictions to the queue a window at a time.
import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';

import {
  type BatchRow,
  type BatchRowError,
  type Db,
  finishBatchAcceptance,
  insertBatch,
  insertBatchPredictions,
  insertBatchRowErrors,
  type NewBatchPrediction,
} from '@predictq/db';
import Papa from 'papaparse';

import { BatchFileError, BatchIdempotencyKeyReused, BatchTooLarge } from './batch-errors';
import { checkHeader, checkRow } from './batch-row';

export interface BatchLimits {
  maxBytes: number;
  maxRows: number;
}

export interface AcceptBatchDeps {
  db: Db;
  limits: BatchLimits;
  /** Most predictions of the batch in the queue at once. */
  windowSize: number;
  /** Rows per multi-row insert. */
  chunkRows?: number;
  /** Told when the statistics refresh after a large batch failed (it is only an optimisation). */
  onAnalyzeError?: (error: unknown) => void;
}

/**
 * A batch at least this large refreshes the predictions table's statistics once it is stored.
 * Planned on statistics from before a bulk load, the workers' claims of batch rows by id chose
 * the partial index of unfinished predictions over the primary key: 80 ms a claim, and
 * PostgreSQL's CPU went to it. Autovacuum refreshes them eventually (and never where it is off);
 * a bulk load is where an ANALYZE belongs.
 */
export const ANALYZE_AFTER_ROWS = 10_000;

export interface BatchUpload {
  /** The file's bytes. */
  body: Readable;
  /** From the content type or the file name; undefined: told by the header line. */
  format: 'csv' | 'tsv' | undefined;
  clientId: string;
  idempotencyKey: string | undefined;
}

export interface AcceptedBatch {
  batch: BatchRow;
  /** false when the Idempotency-Key returned an earlier batch (same file). */
  created: boolean;
}

/** Counts and hashes the bytes; past maxBytes the stream fails with BatchTooLarge. */
export class ByteMeter extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new BatchTooLarge('bytes', this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/** The text of the file, in chunks (UTF-8 decoded across chunk boundaries), and its delimiter. */
export async function* textOf(meter: ByteMeter): AsyncGenerator<string> {
  meter.setEncoding('utf8');
  for await (const chunk of meter) yield chunk as string;
}

export async function withDelimiter(
  text: AsyncGenerator<string>,
  format: 'csv' | 'tsv' | undefined,
): Promise<{ format: 'csv' | 'tsv'; text: Readable }> {
  const first = await text.next();
  const head = first.done ? '' : first.value;
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  const told = format ?? (firstLine.includes('\t') ? 'tsv' : 'csv');
  async function* all(): AsyncGenerator<string> {
    if (head !== '') yield head.replace(/^\uFEFF/, '');
    yield* text;
  }
  return { format: told, text: Readable.from(all()) };
}

/**
 * Reads the upload and stores the batch in one transaction; throws BatchFileError (400),
 * BatchTooLarge (413) or BatchIdempotencyKeyReused (422), having stored nothing.
 */
export async function acceptBatch(
  deps: AcceptBatchDeps,
  upload: BatchUpload,
): Promise<AcceptedBatch> {
  const chunkRows = deps.chunkRows ?? 1000;
  const meter = new ByteMeter(deps.limits.maxBytes);
  upload.body.on('error', (error) => meter.destroy(error));
  upload.body.pipe(meter);
  const { format, text } = await withDelimiter(textOf(meter), upload.format);

  const connection = await deps.db.$client.connect();
  let open = false;
  try {
    await connection.query('BEGIN');
    open = true;
    const { batch, created } = await insertBatch(connection, {
      id: randomUUID(),
      clientId: upload.clientId,
      idempotencyKey: upload.idempotencyKey,
      format,
      windowSize: deps.windowSize,
    });
    if (!created) {
      // A replay: read the file only to compare its hash with the first upload's.
      for await (const _ of text) void _;
      await connection.query('ROLLBACK');
      open = false;
      if (batch.request_hash !== meter.hash.digest('hex')) {
        throw new BatchIdempotencyKeyReused(batch.id);
      }
      return { batch, created: false };
    }

    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
      delimiter: format === 'tsv' ? '\t' : ',',
      skipEmptyLines: 'greedy',
    }) as NodeJS.ReadWriteStream & AsyncIterable<string[]>;
    text.on('error', (error) => (parser as unknown as Readable).destroy(error));
    text.pipe(parser);

    let header: string[] | undefined;
    let rows = 0;
    let accepted = 0;
    let rejected = 0;
    let predictions: NewBatchPrediction[] = [];
    let errors: BatchRowError[] = [];
    const flush = async () => {
      await insertBatchPredictions(connection, batch.id, upload.clientId, predictions);
      await insertBatchRowErrors(connection, batch.id, errors);
      predictions = [];
      errors = [];
    };
    for await (const cells of parser) {
      if (!header) {
        header = cells.map((name) => name.trim());
        const problems = checkHeader(header);
        if (problems.length > 0) throw new BatchFileError(problems);
        continue;
      }
      rows += 1;
      if (rows > deps.limits.maxRows) throw new BatchTooLarge('rows', deps.limits.maxRows);
      if (cells.some((cell) => cell.includes('\u0000'))) {
        throw new BatchFileError([{ row: rows, reason: 'not a text file (a NUL byte)' }]);
      }
      if (cells.length !== header.length) {
        const column = header[Math.min(cells.length, header.length - 1)];
        throw new BatchFileError([
          {
            row: rows,
            ...(column ? { column } : {}),
            reason:
              `expected ${header.length} fields, found ${cells.length}` +
              (cells.some((cell) => /[\r\n]/.test(cell)) ? ' (a broken quote?)' : ''),
          },
        ]);
      }
      const checked = checkRow(header, cells);
      if (checked.ok) {
        accepted += 1;
        predictions.push({
          id: randomUUID(),
          row: rows,
          requestId: checked.requestId,
          request: checked.request,
        });
      } else {
        rejected += 1;
        for (const error of checked.errors) {
          errors.push({ row: rows, requestId: checked.requestId, ...error });
        }
      }
      if (predictions.length + errors.length >= chunkRows) await flush();
    }
    if (!header) throw new BatchFileError([{ reason: 'the file is empty: no header row' }]);
    await flush();
    const finished = await finishBatchAcceptance(connection, batch.id, {
      rows,
      accepted,
      rejected,
      hash: meter.hash.digest('hex'),
    });
    await connection.query('COMMIT');
    open = false;
    if (accepted >= ANALYZE_AFTER_ROWS) {
      // In the background: the 202 does not wait for it.
      deps.db.$client
        .query('ANALYZE predictions')
        .catch((error: unknown) => deps.onAnalyzeError?.(error));
    }
    return { batch: finished, created: true };
  } catch (error) {
    if (open) await connection.query('ROLLBACK').catch(() => undefined);
    // Stop reading what is left of the upload.
    upload.body.unpipe(meter);
    meter.destroy();
    throw error;
  } finally {
    connection.release();
  }
}
