import { LOCATION_FEATURES } from '@predictq/domain';
import { generateDataset, type Dataset } from './dataset';
import {
  LABELLED_TSV_COLUMNS,
  labelledRows,
  labelledToTsv,
  locationsToTsv,
  parseLabelledTsv,
  parseLocationsTsv,
  parseRequestsTsv,
  requestsToTsv,
} from './dataset-tsv';
import { readLocationProfiles, readTravellerProfiles } from './profiles';

let dataset: Dataset;
beforeAll(async () => {
  dataset = generateDataset({
    seed: 7,
    requests: 150,
    travellerProfiles: await readTravellerProfiles(),
    locationProfiles: await readLocationProfiles(),
  });
});

describe('dataset TSV files', () => {
  it('give back the same locations and requests', () => {
    expect(parseLocationsTsv(locationsToTsv(dataset.locations))).toEqual(dataset.locations);
    expect(parseRequestsTsv(requestsToTsv(dataset.requests))).toEqual(dataset.requests);
  });

  it('give back the labelled rows: each pair joined with its request and its stay', () => {
    const rows = parseLabelledTsv(labelledToTsv(dataset));
    expect(rows).toEqual(labelledRows(dataset));
    const first = rows[0]!;
    const request = dataset.requests[first.request_id - 1]!;
    const location = dataset.locations[first.location_id - 1]!;
    expect(first).toMatchObject({ people_age: request.people_age, price: location.price });
  });

  it('write the flat table in a fixed column order, booleans as 1/0 and ages comma-joined', () => {
    const [header, line] = labelledToTsv(dataset).split('\n');
    expect(header!.split('\t')).toEqual(LABELLED_TSV_COLUMNS);
    expect(LABELLED_TSV_COLUMNS.slice(0, 3)).toEqual(['request_id', 'location_id', 'label']);
    expect(LABELLED_TSV_COLUMNS.slice(-LOCATION_FEATURES.length)).toEqual([...LOCATION_FEATURES]);
    const cells = Object.fromEntries(LABELLED_TSV_COLUMNS.map((c, i) => [c, line!.split('\t')[i]]));
    const request = dataset.requests[0]!;
    expect(cells.people_age).toBe(request.people_age.join(','));
    expect(cells.pool).toBe(request.pool ? '1' : '0');
  });

  it('keep town names with tabs and quotes', () => {
    const odd = [{ ...dataset.locations[0]!, town: 'St. "Moritz"\tEngadin' }];
    expect(parseLocationsTsv(locationsToTsv(odd))).toEqual(odd);
  });

  it('reject a bad cell naming the file, the row and the column', () => {
    const lines = labelledToTsv(dataset).split('\n');
    lines[2] = lines[2]!.replace(/^(\d+\t\d+\t)[01]/, '$12');
    expect(() => parseLabelledTsv(lines.join('\n'), 'var/data/labelled.tsv')).toThrow(
      'invalid table var/data/labelled.tsv:\n  row 2, column label: must be 1 or 0, got "2"',
    );
    const text = locationsToTsv(dataset.locations).replace('\tprice\t', '\tcost\t');
    expect(() => parseLocationsTsv(text)).toThrow(
      /locations.tsv:\n {2}header: missing column\(s\) price/,
    );
  });
});
