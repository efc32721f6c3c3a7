// The data set as TSV files, in a fixed column order, and back. Booleans are written 1/0 so that
// a trainer can read every feature as a number; numbers are printed with String(), which is
// deterministic and parses back to the same double.
import {
  LOCATION_BOOLEAN_FEATURES,
  LOCATION_FEATURES,
  type Location,
  type LocationFeatures,
} from '@predictq/domain';
import type { Dataset, DatasetRequest, LabelledPair } from './dataset';
import { formatCells, fromTsv, toTsv, writeTable, type Columns } from './tsv';

const LOCATION_FEATURE_COLUMNS = Object.fromEntries(
  LOCATION_FEATURES.map((f) => [
    f,
    (LOCATION_BOOLEAN_FEATURES as readonly string[]).includes(f) ? 'boolean' : 'number',
  ]),
) as Columns<LocationFeatures>;

const LOCATION_COLUMNS: Columns<Location> = {
  id: 'int',
  town: 'text',
  ...LOCATION_FEATURE_COLUMNS,
};

type RequestFields = Omit<DatasetRequest, 'request_id'>;

const REQUEST_FIELD_COLUMNS: Columns<RequestFields> = {
  profile: 'text',
  people_num: 'int',
  people_age: 'int-list',
  children_num: 'int',
  budget: 'number',
  nights: 'int',
  time_arrival: 'date',
  pool: 'boolean',
  spa: 'boolean',
  pet_friendly: 'boolean',
  lake: 'boolean',
  mountain: 'boolean',
  sport: 'boolean',
};

const REQUEST_COLUMNS: Columns<DatasetRequest> = { request_id: 'int', ...REQUEST_FIELD_COLUMNS };

/** A flat training row: the pair, its label, the request's fields and the stay's features. */
export type LabelledRow = LabelledPair & RequestFields & LocationFeatures;

const PAIR_COLUMNS: Columns<LabelledPair> = {
  request_id: 'int',
  location_id: 'int',
  label: 'binary',
  rank: 'int',
};

const LABELLED_COLUMNS: Columns<LabelledRow> = {
  ...PAIR_COLUMNS,
  ...REQUEST_FIELD_COLUMNS,
  ...LOCATION_FEATURE_COLUMNS,
};

/** Column names of each table, in file order. */
export const LOCATIONS_TSV_COLUMNS = Object.keys(LOCATION_COLUMNS);
export const REQUESTS_TSV_COLUMNS = Object.keys(REQUEST_COLUMNS);
export const LABELLED_TSV_COLUMNS = Object.keys(LABELLED_COLUMNS);

export function locationsToTsv(locations: readonly Location[]): string {
  return toTsv(LOCATION_COLUMNS, locations);
}

export function parseLocationsTsv(text: string, source = 'locations.tsv'): Location[] {
  return fromTsv(LOCATION_COLUMNS, text, source);
}

export function requestsToTsv(requests: readonly DatasetRequest[]): string {
  return toTsv(REQUEST_COLUMNS, requests);
}

export function parseRequestsTsv(text: string, source = 'requests.tsv'): DatasetRequest[] {
  return fromTsv(REQUEST_COLUMNS, text, source);
}

type TableData = Omit<Dataset, 'outcomes'>;

/** Pairs each labelled pair with its request and its stay, each converted once. */
function joinPairs<R, L>(
  dataset: TableData,
  request: (r: DatasetRequest) => R,
  location: (l: Location) => L,
): { pair: LabelledPair; request: R; location: L }[] {
  const requests = new Map(dataset.requests.map((r) => [r.request_id, request(r)]));
  const locations = new Map(dataset.locations.map((l) => [l.id, location(l)]));
  return dataset.labelled.map((pair) => {
    const r = requests.get(pair.request_id);
    const l = locations.get(pair.location_id);
    if (r === undefined || l === undefined) {
      throw new RangeError(
        `labelled pair (${pair.request_id}, ${pair.location_id}) refers to a missing request or location`,
      );
    }
    return { pair, request: r, location: l };
  });
}

/** Each labelled pair joined with its request and its stay: the rows of labelled.tsv. */
export function labelledRows(dataset: TableData): LabelledRow[] {
  const joined = joinPairs(
    dataset,
    ({ request_id: _id, ...fields }) => fields,
    ({ id: _id, town: _town, ...features }) => features,
  );
  // Object.assign: V8 builds an object from several spreads an order of magnitude slower.
  return joined.map(({ pair, request, location }) => Object.assign({}, pair, request, location));
}

/**
 * The flat training table (like MLprod's dataset_labelled.tsv): one row per labelled pair with
 * the request's fields and the stay's features; parseLabelledTsv gives back labelledRows.
 */
export function labelledToTsv(dataset: TableData): string {
  // Written from cells formatted once per request and per stay: joining 34-field objects for
  // every pair first costs seconds for a large data set.
  const rows = joinPairs(
    dataset,
    (r) => formatCells(REQUEST_FIELD_COLUMNS, r),
    (l) => formatCells(LOCATION_FEATURE_COLUMNS, l),
  ).map(({ pair, request, location }) => [
    ...formatCells(PAIR_COLUMNS, pair),
    ...request,
    ...location,
  ]);
  return writeTable(LABELLED_TSV_COLUMNS, rows);
}

export function parseLabelledTsv(text: string, source = 'labelled.tsv'): LabelledRow[] {
  return fromTsv(LABELLED_COLUMNS, text, source);
}
