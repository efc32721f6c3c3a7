// The results of a batch: one row per input row, in input order, whatever the batch's state,
// read from PostgreSQL a range of rows at a time (memory stays flat for any size) and written as
// CSV (papaparse, RFC 4180 quoting) or JSON Lines. A finished batch gives the same bytes on every
// download. Reading them marks the rankings shown (shown means delivered), so feedback is taken.
import { batchResultRows, type BatchResultRow, type BatchRow, type Db } from '@predictq/db';
import Papa from 'papaparse';

/** The columns of results.csv; location_N and score_N for N = 1..K, best first. */
export function resultColumns(topK: number): string[] {
  const columns = ['row', 'request_id', 'prediction_id', 'status', 'model_version', 'error'];
  for (let k = 1; k <= topK; k += 1) columns.push(`location_${k}`, `score_${k}`);
  return columns;
}

export interface ResultRecord {
  row: number;
  request_id: string | null;
  prediction_id: string | null;
  status: string;
  model_version: number | null;
  error: string | null;
  ranking: { location_id: number; score: number }[] | null;
}

function recordOf(row: BatchResultRow): ResultRecord {
  return {
    row: row.row,
    request_id: row.request_id,
    prediction_id: row.prediction_id,
    status: row.status,
    model_version: row.model_version,
    error: row.error,
    ranking:
      row.location_ids && row.scores
        ? row.location_ids.map((location_id, i) => ({ location_id, score: row.scores![i]! }))
        : null,
  };
}

/** Every result row of the batch, in input order, `pageRows` rows per query. */
export async function* batchResults(
  db: Db,
  batch: BatchRow,
  topK: number,
  pageRows = 2000,
): AsyncGenerator<ResultRecord[]> {
  for (let from = 1; from <= batch.row_count; from += pageRows) {
    const rows = await batchResultRows(db, batch.id, from, from + pageRows - 1, topK);
    yield rows.map(recordOf);
  }
}

function csvCells(record: ResultRecord, topK: number): string[] {
  const cells = [
    String(record.row),
    record.request_id ?? '',
    record.prediction_id ?? '',
    record.status,
    record.model_version === null ? '' : String(record.model_version),
    record.error ?? '',
  ];
  for (let k = 0; k < topK; k += 1) {
    const stay = record.ranking?.[k];
    cells.push(stay ? String(stay.location_id) : '', stay ? String(stay.score) : '');
  }
  return cells;
}

/** The CSV header line (with its newline). */
export function csvHeader(topK: number): string {
  return `${Papa.unparse([resultColumns(topK)], { newline: '\n' })}\n`;
}

/** A page of results as CSV lines (each with its newline; quoted where needed). */
export function csvLines(records: readonly ResultRecord[], topK: number): string {
  if (records.length === 0) return '';
  return `${Papa.unparse(
    records.map((r) => csvCells(r, topK)),
    { newline: '\n', quotes: false, escapeFormulae: false },
  )}\n`;
}

/** A page of results as JSON Lines. */
export function jsonLines(records: readonly ResultRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}
