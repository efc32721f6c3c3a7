// Feedback on a batch as a file: a CSV (or TSV) whose header names `location_id` and
// `prediction_id` or `row` (other columns are ignored, so the results CSV with a location_id
// column added goes back as it is). Each line is one feedback, with the per-prediction rules: the
// prediction succeeded, the stay was shown (the results mark a ranking shown when they deliver
// it), one feedback per prediction. The file is read as a stream and recorded a chunk of lines at
// a time; a bad line is reported with its row, field and reason and the others are recorded.
import type { Readable } from 'node:stream';

import {
  type BatchFeedbackLine,
  type BatchFeedbackOutcome,
  type Db,
  recordBatchFeedback,
} from '@predictq/db';
import type { FeedbackOutcome } from '@predictq/domain';
import Papa from 'papaparse';

import { ByteMeter, textOf, withDelimiter, type BatchLimits } from './accept-batch';
import { BatchFileError, BatchTooLarge } from './batch-errors';

const INT4_MAX = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Most errors a report lists (the counts cover them all). */
export const FEEDBACK_ERRORS_LISTED = 1000;

export interface FeedbackLineError {
  row: number;
  field: string;
  reason: string;
}

export interface BatchFeedbackReport {
  rows: number;
  recorded: number;
  rejected: number;
  errors: FeedbackLineError[];
  /** What was recorded, for the feedback metric. */
  outcomes: { outcome: FeedbackOutcome; modelId: string | null }[];
}

function positiveInt(cell: string): number | undefined {
  if (!/^\d{1,10}$/.test(cell)) return undefined;
  const n = Number(cell);
  return n >= 1 && n <= INT4_MAX ? n : undefined;
}

type Parsed = { ok: true; line: BatchFeedbackLine } | { ok: false; error: FeedbackLineError };

function parseLine(row: number, cell: (name: string) => string): Parsed {
  const fail = (field: string, reason: string): Parsed => ({
    ok: false,
    error: { row, field, reason },
  });
  const id = cell('prediction_id');
  const batchRowCell = cell('row');
  const location = cell('location_id');
  if (id === '' && batchRowCell === '') {
    return fail('prediction_id', 'needs a prediction_id or a row');
  }
  if (id !== '' && !UUID.test(id)) return fail('prediction_id', 'must be a prediction id (uuid)');
  const batchRow = batchRowCell === '' ? null : positiveInt(batchRowCell);
  if (batchRow === undefined) return fail('row', 'must be a row number of the batch (1, 2, ...)');
  let locationId: number | null = null;
  if (location !== '' && location.toLowerCase() !== 'none') {
    const n = positiveInt(location);
    if (n === undefined) {
      return fail('location_id', 'must be a location id, or none (or empty) when none fitted');
    }
    locationId = n;
  }
  return {
    ok: true,
    line: { line: row, predictionId: id === '' ? null : id.toLowerCase(), batchRow, locationId },
  };
}

/** Why a resolved line was not recorded; undefined when it was. */
function refusal(
  line: BatchFeedbackLine,
  outcome: BatchFeedbackOutcome,
  firstLineOf: Map<string, number>,
): { field: string; reason: string } | undefined {
  if (outcome.recorded) return undefined;
  const by = line.predictionId === null ? 'row' : 'prediction_id';
  if (outcome.predictionId === null) {
    return by === 'row'
      ? { field: 'row', reason: 'the batch has no prediction at this row (a rejected row?)' }
      : { field: 'prediction_id', reason: 'not a prediction of this batch' };
  }
  if (line.batchRow !== null && line.predictionId !== null && outcome.batchRow !== line.batchRow) {
    return { field: 'row', reason: `prediction_id is the batch's row ${outcome.batchRow}` };
  }
  if (outcome.status !== 'succeeded') {
    return {
      field: by,
      reason: `the prediction is ${outcome.status}: feedback is taken once it succeeded`,
    };
  }
  if (line.locationId !== null && outcome.shown !== true) {
    return {
      field: 'location_id',
      reason:
        'not among the stays shown for this prediction (the results show them when downloaded)',
    };
  }
  const first = firstLineOf.get(outcome.predictionId);
  return {
    field: by,
    reason:
      first !== undefined && first !== line.line
        ? `feedback for this prediction is already in row ${first} of this file`
        : 'feedback was already given for this prediction',
  };
}

/**
 * Reads a feedback file and records its lines on the batch; throws BatchFileError (400) for a
 * file without the columns, BatchTooLarge (413) past the limits (the lines before stay recorded).
 */
export async function recordBatchFeedbackFile(
  deps: { db: Db; limits: BatchLimits; chunkRows?: number },
  batchId: string,
  upload: { body: Readable; format: 'csv' | 'tsv' | undefined },
): Promise<BatchFeedbackReport> {
  const chunkRows = deps.chunkRows ?? 1000;
  const meter = new ByteMeter(deps.limits.maxBytes);
  upload.body.on('error', (error) => meter.destroy(error));
  upload.body.pipe(meter);
  const { format, text } = await withDelimiter(textOf(meter), upload.format);
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
    delimiter: format === 'tsv' ? '\t' : ',',
    skipEmptyLines: 'greedy',
  }) as NodeJS.ReadWriteStream & AsyncIterable<string[]>;
  text.on('error', (error) => (parser as unknown as Readable).destroy(error));
  text.pipe(parser);

  const report: BatchFeedbackReport = {
    rows: 0,
    recorded: 0,
    rejected: 0,
    errors: [],
    outcomes: [],
  };
  const reject = (error: FeedbackLineError) => {
    report.rejected += 1;
    if (report.errors.length < FEEDBACK_ERRORS_LISTED) report.errors.push(error);
  };
  const firstLineOf = new Map<string, number>();
  let pending: BatchFeedbackLine[] = [];
  const flush = async () => {
    const outcomes = await recordBatchFeedback(deps.db, batchId, pending);
    const byLine = new Map(pending.map((line) => [line.line, line]));
    for (const outcome of outcomes) {
      const line = byLine.get(outcome.line)!;
      if (outcome.recorded && outcome.predictionId !== null) {
        firstLineOf.set(outcome.predictionId, line.line);
        report.recorded += 1;
        report.outcomes.push(outcome.recorded);
        continue;
      }
      const why = refusal(line, outcome, firstLineOf);
      if (why) reject({ row: line.line, ...why });
    }
    pending = [];
  };

  let header: string[] | undefined;
  try {
    for await (const cells of parser) {
      if (!header) {
        header = cells.map((name) => name.trim());
        const missing = [
          ...(header.includes('location_id') ? [] : ['location_id']),
          ...(header.includes('prediction_id') || header.includes('row') ? [] : ['prediction_id']),
        ];
        if (missing.length > 0) {
          throw new BatchFileError(
            missing.map((column) => ({
              row: 0,
              column,
              reason:
                column === 'location_id'
                  ? 'missing column'
                  : 'missing column (prediction_id or row)',
            })),
          );
        }
        continue;
      }
      report.rows += 1;
      if (report.rows > deps.limits.maxRows) throw new BatchTooLarge('rows', deps.limits.maxRows);
      const at = (name: string) => {
        const index = header!.indexOf(name);
        return index < 0 ? '' : (cells[index] ?? '').trim();
      };
      const parsed = parseLine(report.rows, at);
      if (parsed.ok) pending.push(parsed.line);
      else reject(parsed.error);
      if (pending.length >= chunkRows) await flush();
    }
    if (!header) throw new BatchFileError([{ reason: 'the file is empty: no header row' }]);
    await flush();
    report.errors.sort((a, b) => a.row - b.row);
    return report;
  } catch (error) {
    upload.body.unpipe(meter);
    meter.destroy();
    throw error;
  }
}
