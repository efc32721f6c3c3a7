import { createFeatureEncoder, FEATURE_NAMES } from './features';
import { makeLocation, makeRequest } from '../test/fixtures';

// The documented row for makeRequest() × makeLocation(), feature by feature.
const EXPECTED: Record<string, number> = {
  people_num: 2,
  children_num: 1,
  budget: 200,
  nights: 4,
  age_avg: 23,
  age_std: 15,
  age_min: 8,
  age_max: 38,
  pool: 1,
  spa: 0,
  pet_friendly: 1,
  lake: 1,
  mountain: 0,
  sport: 0,
  children: 1,
  breakfast: 1,
  lunch: 0,
  dinner: 1,
  price: 150,
  has_pool: 1,
  has_spa: 0,
  animals: 0,
  near_lake: 1,
  near_mountains: 1,
  has_sport: 0,
  family_rating: 7.5,
  outdoor_rating: 6,
  food_rating: 8,
  leisure_rating: 5.5,
  service_rating: 9,
  user_score: 8.25,
  price_budget_ratio: 0.75,
  // pool and lake are met, pets are not: 2 of the 3 wanted wishes.
  wishes_met: 2 / 3,
  family_fit: 7.5,
};

function encodeOne(names: readonly string[], request = makeRequest(), location = makeLocation()) {
  const encoder = createFeatureEncoder(names);
  const out = new Float32Array(encoder.width);
  encoder.encode(request, [location], out, 0);
  return Object.fromEntries(names.map((name, j) => [name, out[j]]));
}

describe('FEATURE_NAMES', () => {
  it('lists the 34 features: request, location, then cross features', () => {
    expect(FEATURE_NAMES).toEqual(Object.keys(EXPECTED));
    expect(FEATURE_NAMES).toHaveLength(34);
  });
});

describe('createFeatureEncoder', () => {
  it('writes the documented values for a hand-made request and location', () => {
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([name, v]) => [name, Math.fround(v)]),
    );
    expect(encodeOne(FEATURE_NAMES)).toEqual(expected);
  });

  it('computes the cross features per location: budget ratio, wishes met, family fit', () => {
    const pricey = makeLocation({ price: 300, has_pool: false, animals: true, near_lake: false });
    const row = encodeOne(FEATURE_NAMES, makeRequest(), pricey);
    expect(row.price_budget_ratio).toBe(1.5);
    expect(row.wishes_met).toBe(Math.fround(1 / 3));
    const adults = makeRequest({ children_num: 0 });
    expect(encodeOne(['family_fit'], adults).family_fit).toBe(0);
  });

  it('counts a stay as meeting every wish when the group wants none', () => {
    const none = makeRequest({ pool: false, pet_friendly: false, lake: false });
    expect(encodeOne(['wishes_met'], none, makeLocation({ has_pool: false })).wishes_met).toBe(1);
  });

  it('writes a subset in the order asked for, at the given row, leaving other floats alone', () => {
    const encoder = createFeatureEncoder(['wishes_met', 'budget', 'user_score']);
    const out = new Float32Array(4 * 3).fill(-1);
    const second = makeLocation({ has_pool: false, user_score: 3 });
    encoder.encode(makeRequest(), [makeLocation(), second], out, 1);
    expect(Array.from(out)).toEqual([
      -1,
      -1,
      -1,
      Math.fround(2 / 3),
      200,
      8.25,
      Math.fround(1 / 3),
      200,
      3,
      -1,
      -1,
      -1,
    ]);
  });

  it('rejects unknown and repeated feature names, naming them', () => {
    expect(() => createFeatureEncoder(['price', 'stars', 'wifi'])).toThrow(
      /unknown feature name\(s\): stars, wifi/,
    );
    expect(() => createFeatureEncoder(['price', 'budget', 'price'])).toThrow(
      'repeated feature name(s): price',
    );
    expect(() => createFeatureEncoder([])).toThrow('feature list is empty');
  });

  it('refuses to write past the end of the output', () => {
    const encoder = createFeatureEncoder(FEATURE_NAMES);
    const out = new Float32Array(2 * encoder.width);
    expect(() => encoder.encode(makeRequest(), [makeLocation()], out, 2)).toThrow(/do not fit/);
  });
});
