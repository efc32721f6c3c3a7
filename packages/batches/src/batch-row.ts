// One row of a batch file: the header's rules, and a row's cells turned into a traveller request
// validated by the same schema as POST /v1/predictions. Cells are text: numbers are parsed,
// booleans are true/false or 1/0, people_age is a list separated by spaces, `;` or `,`. A cell
// that does not convert is passed on as text, so that the schema names the field and the reason.
import { createPredictionBody } from '@predictq/contract';
import {
  enrichRequest,
  type EnrichedRequest,
  TRAVELLER_REQUEST_FIELDS,
  type TravellerRequestFields,
} from '@predictq/domain';

import type { FileProblem } from './batch-errors';

/** The caller's own row id, echoed in the results. */
export const REQUEST_ID_COLUMN = 'request_id';
const OPTIONAL_COLUMNS = ['profile', REQUEST_ID_COLUMN] as const;
export const BATCH_COLUMNS = [...TRAVELLER_REQUEST_FIELDS, ...OPTIONAL_COLUMNS] as const;

type Kind = 'int' | 'number' | 'boolean' | 'int-list' | 'text';
const KINDS: Record<keyof TravellerRequestFields | 'profile', Kind> = {
  people_num: 'int',
  people_age: 'int-list',
  children_num: 'int',
  budget: 'number',
  nights: 'int',
  time_arrival: 'text',
  pool: 'boolean',
  spa: 'boolean',
  pet_friendly: 'boolean',
  lake: 'boolean',
  mountain: 'boolean',
  sport: 'boolean',
  profile: 'text',
};

/** Problems with the header: missing, unknown or repeated columns (row 0). */
export function checkHeader(header: readonly string[]): FileProblem[] {
  const problems: FileProblem[] = [];
  const known: readonly string[] = BATCH_COLUMNS;
  for (const column of TRAVELLER_REQUEST_FIELDS) {
    if (!header.includes(column)) problems.push({ row: 0, column, reason: 'missing column' });
  }
  header.forEach((column, i) => {
    if (!known.includes(column)) {
      problems.push({ row: 0, column: column || `#${i + 1}`, reason: 'unknown column' });
    } else if (header.indexOf(column) !== i) {
      problems.push({ row: 0, column, reason: 'repeated column' });
    }
  });
  return problems;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function convert(kind: Kind, cell: string): unknown {
  const text = cell.trim();
  if (text === '') return undefined;
  switch (kind) {
    case 'int':
    case 'number':
      return NUMBER.test(text) ? Number(text) : text;
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === '1') return true;
      if (lower === 'false' || lower === '0') return false;
      return text;
    }
    case 'int-list':
      return text
        .split(/[\s;,]+/)
        .filter((age) => age !== '')
        .map((age) => (NUMBER.test(age) ? Number(age) : age));
    case 'text':
      return text;
  }
}

export interface RowError {
  field: string;
  reason: string;
}

export type CheckedRow =
  | { ok: true; requestId: string | undefined; request: EnrichedRequest }
  | { ok: false; requestId: string | undefined; errors: RowError[] };

/** A data row (its cells in header order) as a validated request, or its errors by field. */
export function checkRow(header: readonly string[], cells: readonly string[]): CheckedRow {
  const body: Record<string, unknown> = {};
  let requestId: string | undefined;
  header.forEach((column, i) => {
    const cell = cells[i] ?? '';
    if (column === REQUEST_ID_COLUMN) requestId = cell === '' ? undefined : cell;
    else {
      const value = convert(KINDS[column as keyof typeof KINDS], cell);
      if (value !== undefined) body[column] = value;
    }
  });
  if (requestId?.includes('\u0000')) {
    return {
      ok: false,
      requestId: undefined,
      errors: [{ field: REQUEST_ID_COLUMN, reason: 'must not contain NUL characters' }],
    };
  }
  const parsed = createPredictionBody.safeParse(body);
  if (parsed.success) return { ok: true, requestId, request: enrichRequest(parsed.data) };
  const errors = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.') || '(row)';
    const message =
      issue.code === 'invalid_type' && body[field] === undefined ? 'required' : issue.message;
    errors.set(field, errors.has(field) ? `${errors.get(field)}; ${message}` : message);
  }
  return {
    ok: false,
    requestId,
    errors: [...errors].map(([field, reason]) => ({ field, reason })),
  };
}
