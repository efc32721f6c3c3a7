// Tab-separated tables through papaparse: the profile tables we read and the data sets we write
// and read back. Every problem names the file, the 1-based data row and the column, so that a
// broken file can be fixed without a debugger.
import Papa from 'papaparse';

export interface TsvProblem {
  /** 1-based data row (the header is row 0); undefined for problems with the whole file. */
  row?: number;
  /** A readable name for the row, e.g. the profile name. */
  label?: string;
  column?: string;
  reason: string;
}

export class TsvError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly TsvProblem[],
  ) {
    super(`invalid table ${source}:\n${problems.map((p) => `  ${describeProblem(p)}`).join('\n')}`);
    this.name = 'TsvError';
  }
}

function describeProblem(p: TsvProblem): string {
  const row = p.row === undefined ? '' : p.row === 0 ? 'header' : `row ${p.row}`;
  const where = [p.label ? `${row} (${p.label})`.trim() : row, p.column ? `column ${p.column}` : '']
    .filter(Boolean)
    .join(', ');
  return where ? `${where}: ${p.reason}` : p.reason;
}

// Beyond this many problems the rest is noise: the first ones show what is wrong.
const MAX_PROBLEMS = 20;

export function throwIfProblems(source: string, problems: readonly TsvProblem[]): void {
  if (problems.length > 0) throw new TsvError(source, problems.slice(0, MAX_PROBLEMS));
}

/**
 * Parses a tab-separated table whose header must hold exactly `columns` (in any order). Blank
 * lines are skipped; a row with too few or too many fields is an error, never padded or cut.
 */
export function readTable(
  text: string,
  source: string,
  columns: readonly string[],
): Record<string, string>[] {
  // Without papaparse's header mode, which renames repeated columns and warns on the console.
  const parsed = Papa.parse<string[]>(text, { delimiter: '\t', skipEmptyLines: 'greedy' });
  const [header = [], ...rows] = parsed.data;
  const problems: TsvProblem[] = [];
  const headerProblem = (what: string, names: string[]): void => {
    if (names.length > 0) problems.push({ row: 0, reason: `${what} ${names.join(', ')}` });
  };
  headerProblem(
    'missing column(s)',
    columns.filter((c) => !header.includes(c)),
  );
  headerProblem(
    'unknown column(s)',
    header.filter((f) => !columns.includes(f)),
  );
  headerProblem('repeated column(s)', [
    ...new Set(header.filter((f, i) => header.indexOf(f) !== i)),
  ]);
  throwIfProblems(source, problems);
  // Papaparse counts rows from the header (row 0), as TsvProblem does.
  for (const error of parsed.errors) {
    problems.push({
      ...(error.row === undefined ? {} : { row: error.row }),
      reason: error.message,
    });
  }
  rows.forEach((cells, i) => {
    if (cells.length !== header.length) {
      problems.push({
        row: i + 1,
        reason: `expected ${header.length} fields, found ${cells.length}`,
      });
    }
  });
  throwIfProblems(source, problems);
  return rows.map((cells) => Object.fromEntries(header.map((name, k) => [name, cells[k] ?? ''])));
}

/** Writes rows as a tab-separated table with a header, in the given column order. */
export function writeTable(columns: readonly string[], rows: readonly string[][]): string {
  // A trailing newline keeps the files friendly to line-based tools (wc -l, cat, diff).
  return `${Papa.unparse({ fields: [...columns], data: rows as string[][] }, { delimiter: '\t', newline: '\n' })}\n`;
}

// Typed tables of generated data: each field of a row type maps to how its cells are written.

/** How a field is written as a cell: booleans as 1/0 (numeric features for a trainer). */
export type CellKind = 'int' | 'number' | 'binary' | 'boolean' | 'text' | 'date' | 'int-list';

type KindFor<V> = [V] extends [boolean]
  ? 'boolean'
  : [V] extends [0 | 1]
    ? 'binary'
    : [V] extends [number]
      ? 'int' | 'number'
      : [V] extends [readonly number[]]
        ? 'int-list'
        : [V] extends [string]
          ? 'text' | 'date'
          : never;

/** Every field of T with the kind of its cells; the key order is the column order. */
export type Columns<T> = { [K in keyof T]-?: KindFor<T[K]> };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function formatCell(kind: CellKind, value: unknown): string {
  switch (kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value ? '1' : '0';
      break;
    case 'binary':
      if (value === 0 || value === 1) return String(value);
      break;
    case 'int':
      if (Number.isInteger(value)) return String(value);
      break;
    case 'number':
      // String() prints the shortest text that parses back to the same double.
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      break;
    case 'int-list':
      if (Array.isArray(value) && value.every((v) => Number.isInteger(v))) return value.join(',');
      break;
    case 'text':
    case 'date':
      if (typeof value === 'string') return value;
  }
  throw new TypeError(`cannot write ${JSON.stringify(value)} as a ${kind} cell`);
}

/** The parsed value, or a string saying why the cell is wrong. */
function parseCell(kind: CellKind, cell: string): { value: unknown } | string {
  switch (kind) {
    case 'boolean':
      return cell === '1' ? { value: true } : cell === '0' ? { value: false } : 'must be 1 or 0';
    case 'binary':
      return cell === '1' ? { value: 1 } : cell === '0' ? { value: 0 } : 'must be 1 or 0';
    case 'int':
      return NUMBER.test(cell) && Number.isInteger(Number(cell))
        ? { value: Number(cell) }
        : 'must be an integer';
    case 'number':
      return NUMBER.test(cell) && Number.isFinite(Number(cell))
        ? { value: Number(cell) }
        : 'must be a number';
    case 'int-list': {
      const parts = cell.split(',');
      return parts.every((p) => NUMBER.test(p) && Number.isInteger(Number(p)))
        ? { value: parts.map(Number) }
        : 'must be comma-separated integers';
    }
    case 'date':
      return DATE.test(cell) ? { value: cell } : 'must be a date YYYY-MM-DD';
    case 'text':
      return { value: cell };
  }
}

/** The cells of one row, in column order. */
export function formatCells<T extends object>(columns: Columns<T>, row: T): string[] {
  const cells: string[] = [];
  for (const name in columns) cells.push(formatCell(columns[name], row[name]));
  return cells;
}

export function toTsv<T extends object>(columns: Columns<T>, rows: readonly T[]): string {
  return writeTable(
    Object.keys(columns),
    rows.map((row) => formatCells(columns, row)),
  );
}

export function fromTsv<T extends object>(columns: Columns<T>, text: string, source: string): T[] {
  const entries = Object.entries<CellKind>(columns);
  const table = readTable(
    text,
    source,
    entries.map(([name]) => name),
  );
  const problems: TsvProblem[] = [];
  const rows = table.map((cells, i) => {
    const row: Record<string, unknown> = {};
    for (const [name, kind] of entries) {
      const cell = cells[name] ?? '';
      const parsed = parseCell(kind, cell);
      if (typeof parsed === 'string') {
        problems.push({ row: i + 1, column: name, reason: `${parsed}, got "${cell}"` });
      } else {
        row[name] = parsed.value;
      }
    }
    return row;
  });
  throwIfProblems(source, problems);
  // Every column of T was parsed to the kind its type allows (checked by Columns<T>).
  return rows as T[];
}
