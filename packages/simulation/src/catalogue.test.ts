import { createRng } from '@predictq/random';
import { generateCatalogue } from './catalogue';
import { readLocationProfiles, type LocationProfile } from './profiles';
import { roundToCents } from './round';

let towns: LocationProfile[];
beforeAll(async () => {
  towns = await readLocationProfiles();
});

const RANGES = [
  ['price', 'price_min', 'price_max'],
  ['family_rating', 'family_min', 'family_max'],
  ['outdoor_rating', 'outdoor_min', 'outdoor_max'],
  ['food_rating', 'food_min', 'food_max'],
  ['leisure_rating', 'leisure_min', 'leisure_max'],
  ['service_rating', 'service_min', 'service_max'],
  ['user_score', 'score_min', 'score_max'],
] as const;

describe('generateCatalogue', () => {
  it('makes count stays per town, town by town, with numbers in range and rounded to cents', () => {
    const stays = generateCatalogue(towns, createRng(1));
    expect(stays.map((s) => s.town)).toEqual(
      towns.flatMap((t) => Array.from({ length: t.count }, () => t.town)),
    );
    const broken: string[] = [];
    stays.forEach((stay, i) => {
      const town = towns.find((t) => t.town === stay.town)!;
      for (const [feature, min, max] of RANGES) {
        const value = stay[feature];
        if (value < town[min] || value > town[max]) broken.push(`${i} ${feature} ${value}`);
        // What a TSV file or a numeric(…, 2) column gives back.
        if (Number(value.toFixed(2)) !== value) broken.push(`${i} ${feature} ${value} not cents`);
      }
    });
    expect(broken).toEqual([]);
  });

  it('gives each facility with its threshold', () => {
    const town = {
      ...towns[0]!,
      count: 4000,
      threshold_pool: 0.3,
      threshold_spa: 0,
      threshold_lake: 1,
    };
    const stays = generateCatalogue([town], createRng(2));
    const share = stays.filter((s) => s.has_pool).length / stays.length;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    expect(stays.some((s) => s.has_spa)).toBe(false);
    expect(stays.every((s) => s.near_lake)).toBe(true);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(generateCatalogue(towns, createRng(3))).toEqual(generateCatalogue(towns, createRng(3)));
    expect(generateCatalogue(towns, createRng(3))).not.toEqual(
      generateCatalogue(towns, createRng(4)),
    );
  });
});

describe('roundToCents', () => {
  it('gives the double that the two-decimal text parses to', () => {
    const rng = createRng(5);
    const values = Array.from({ length: 10_000 }, () => roundToCents(rng.uniform(0, 5000)));
    expect(values.filter((v) => Number(v.toFixed(2)) !== v)).toEqual([]);
    expect(roundToCents(2.345678)).toBe(2.35);
  });
});
