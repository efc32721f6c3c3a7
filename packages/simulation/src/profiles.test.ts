import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_LOCATION_PROFILES,
  DEFAULT_TRAVELLER_PROFILES,
  NOISY_TRAVELLER_PROFILES,
  parseLocationProfiles,
  parseTravellerProfiles,
  readLocationProfiles,
  readTravellerProfiles,
} from './profiles';
import { TsvError } from './tsv';

const travellersText = readFileSync(DEFAULT_TRAVELLER_PROFILES, 'utf8');
const locationsText = readFileSync(DEFAULT_LOCATION_PROFILES, 'utf8');

/** Replaces the cell of `column` in the row of profile `name`. */
function withCell(text: string, name: string, column: string, value: string): string {
  const lines = text.split('\n');
  const header = (lines[0] as string).split('\t');
  const col = header.indexOf(column);
  if (col < 0) throw new Error(`no column ${column}`);
  return lines
    .map((line) => {
      const cells = line.split('\t');
      if (cells[0] !== name) return line;
      cells[col] = value;
      return cells.join('\t');
    })
    .join('\n');
}

function errorOf(parse: () => unknown): TsvError {
  try {
    parse();
  } catch (error) {
    if (error instanceof TsvError) return error;
    throw error;
  }
  throw new Error('expected a TsvError');
}

describe('the shipped profile tables', () => {
  it('parse, with the meta columns named and the figures of the original', async () => {
    const travellers = await readTravellerProfiles();
    expect(travellers.map((p) => p.name)).toEqual([
      'Single',
      'Family',
      'Sport',
      'Leisure',
      'Cheap',
      'Expensive',
      'Old',
      'Couple',
      'Luxury',
      'Group',
    ]);
    const family = travellers[1]!;
    expect(family).toMatchObject({ weight: 20, people_min: 2, people_max: 5, minor_age: 17 });
    expect(family).toMatchObject({ budget_min: 300, budget_max: 500, weight_mountains: 1 });
    expect(family.weight_score_environment).toBe(1);

    const [noisy, ...rest] = await readTravellerProfiles(NOISY_TRAVELLER_PROFILES);
    expect(rest).toEqual([]);
    expect(noisy).toMatchObject({ name: 'Noisy groups', budget_tolerance: 1.2, weight_lake: 0.9 });

    const towns = await readLocationProfiles();
    expect(towns).toHaveLength(10);
    expect(towns[0]).toMatchObject({ town: 'Zurich', count: 40, price_min: 100, price_max: 3000 });
    expect(towns.reduce((n, t) => n + t.count, 0)).toBe(210);
  });

  it('are found from any working directory', () => {
    for (const file of [
      DEFAULT_TRAVELLER_PROFILES,
      NOISY_TRAVELLER_PROFILES,
      DEFAULT_LOCATION_PROFILES,
    ]) {
      expect(path.isAbsolute(file)).toBe(true);
    }
  });
});

describe('parseTravellerProfiles', () => {
  it('names the file, the row, the profile and the column of a cell that is not a number', () => {
    const error = errorOf(() =>
      parseTravellerProfiles(withCell(travellersText, 'Family', 'people_max', 'five'), 'bad.tsv'),
    );
    expect(error.message).toContain('bad.tsv');
    expect(error.message).toContain(
      'row 2 (Family), column people_max: must be a number, got "five"',
    );
    expect(error.problems).toEqual([
      expect.objectContaining({ row: 2, label: 'Family', column: 'people_max' }),
    ]);
  });

  it('rejects a reversed range on its max column', () => {
    const text = withCell(travellersText, 'Sport', 'budget_max', '100');
    expect(() => parseTravellerProfiles(text, 'bad.tsv')).toThrow(
      /row 3 \(Sport\), column budget_max: must be >= budget_min \(200\), got "100"/,
    );
  });

  it.each([
    ['people', 'Group', 10, '2'],
    ['age', 'Old', 7, '50'],
    ['budget', 'Old', 7, '100'],
    ['nights', 'Old', 7, '3'],
  ])('checks the order of %s_min and _max', (range, name, row, max) => {
    const text = withCell(travellersText, name, `${range}_max`, max);
    const { problems } = errorOf(() => parseTravellerProfiles(text, 'bad.tsv'));
    expect(problems).toEqual([expect.objectContaining({ row, column: `${range}_max` })]);
  });

  it('rejects probabilities outside [0, 1], fractional counts and empty cells', () => {
    let text = withCell(travellersText, 'Single', 'spa_thr', '1.5');
    text = withCell(text, 'Old', 'nights_min', '2.5');
    text = withCell(text, 'Group', 'ignore_tolerance', '');
    const { problems } = errorOf(() => parseTravellerProfiles(text, 'bad.tsv'));
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [1, 'spa_thr'],
      [7, 'nights_min'],
      [10, 'ignore_tolerance'],
    ]);
  });

  it('rejects the misspelt columns of the original tables', () => {
    const text = travellersText.replace('weight_mountains', 'weight_mouintains');
    expect(() => parseTravellerProfiles(text, 'user.tsv')).toThrow(
      /user.tsv:\n {2}header: missing column\(s\) weight_mountains\n {2}header: unknown column\(s\) weight_mouintains/,
    );
  });

  it('rejects a repeated column', () => {
    const text = travellersText.replace('\tpool_thr\t', '\tspa_thr\t');
    expect(() => parseTravellerProfiles(text, 'twice.tsv')).toThrow(
      /twice.tsv:\n {2}header: missing column\(s\) pool_thr\n {2}header: repeated column\(s\) spa_thr$/,
    );
  });

  it('rejects a row with a missing field, by its row number', () => {
    const lines = travellersText.split('\n');
    lines[3] = (lines[3] as string).split('\t').slice(0, -1).join('\t');
    expect(() => parseTravellerProfiles(lines.join('\n'), 'short.tsv')).toThrow(
      /short.tsv:\n {2}row 3: expected 32 fields, found 31/,
    );
  });

  it('rejects duplicate names and tables without any weight', () => {
    const duplicate = travellersText.replace('Couple\t', 'Family\t');
    expect(() => parseTravellerProfiles(duplicate, 'dup.tsv')).toThrow(
      /row 8 \(Family\), column meta_comment: duplicate name/,
    );
    const [header, single] = withCell(travellersText, 'Single', 'meta_dist', '0').split('\n');
    const weightless = `${header}\n${single}\n`;
    expect(() => parseTravellerProfiles(weightless, 'zero.tsv')).toThrow(
      /column meta_dist: at least one weight must be > 0/,
    );
  });
});

describe('parseLocationProfiles', () => {
  it('names the town and the column of a bad cell', () => {
    let text = withCell(locationsText, 'Lugano', 'threshold_spa', '-0.1');
    text = withCell(text, 'Coira', 'score_min', '4');
    const error = errorOf(() => parseLocationProfiles(text, 'towns.tsv'));
    expect(error.message).toContain('towns.tsv');
    expect(error.message).toContain('row 5 (Lugano), column threshold_spa: must be in [0, 1]');
    expect(error.message).toContain('row 10 (Coira), column score_max: must be >= score_min (4)');
  });
});

describe('parseLocationProfiles ranges', () => {
  it.each([
    ['price', 'Zermatt', 9],
    ['family', 'Zermatt', 9],
    ['outdoor', 'Zermatt', 9],
    ['food', 'Lugano', 5],
    ['leisure', 'Zermatt', 9],
    ['service', 'Zermatt', 9],
    ['score', 'Zermatt', 9],
  ])('checks the order of %s_min and _max', (range, town, row) => {
    // These towns' minimums of the range are all above 0.5.
    const text = withCell(locationsText, town, `${range}_max`, '0.5');
    const { problems } = errorOf(() => parseLocationProfiles(text, 'towns.tsv'));
    expect(problems).toEqual([expect.objectContaining({ row, column: `${range}_max` })]);
  });
});
