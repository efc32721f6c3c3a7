import { cheapestFirst, selectCandidates, travellerRequestSchema } from '@predictq/domain';
import { generateDataset, summarizeDataset, type Dataset, type DatasetOptions } from './dataset';
import { labelledToTsv, locationsToTsv, requestsToTsv } from './dataset-tsv';
import { scoreStay } from './labeller';
import {
  NOISY_TRAVELLER_PROFILES,
  readLocationProfiles,
  readTravellerProfiles,
  type LocationProfile,
  type TravellerProfile,
} from './profiles';

let travellers: TravellerProfile[];
let towns: LocationProfile[];
let base: DatasetOptions;
let dataset: Dataset;
beforeAll(async () => {
  travellers = await readTravellerProfiles();
  towns = await readLocationProfiles();
  base = { seed: 42, requests: 400, travellerProfiles: travellers, locationProfiles: towns };
  dataset = generateDataset(base);
});

function tsvFiles(d: Dataset): string[] {
  return [locationsToTsv(d.locations), requestsToTsv(d.requests), labelledToTsv(d)];
}

describe('generateDataset', () => {
  it('gives byte-identical files for the same seed and other files for another seed', () => {
    expect(tsvFiles(generateDataset(base))).toEqual(tsvFiles(dataset));
    const other = tsvFiles(generateDataset({ ...base, seed: 43 }));
    tsvFiles(dataset).forEach((file, i) => expect(other[i]).not.toBe(file));
  });

  it('numbers locations and requests from 1 in generation order, with valid requests', () => {
    expect(dataset.locations.map((l) => l.id)).toEqual(dataset.locations.map((_, i) => i + 1));
    expect(dataset.locations).toHaveLength(210);
    expect(dataset.requests.map((r) => r.request_id)).toEqual(
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    const invalid = dataset.requests.filter((r) => !travellerRequestSchema.safeParse(r).success);
    expect(invalid).toEqual([]);
  });

  it('shows each request distinct candidate stays, ranked 1..k, with at most one chosen', () => {
    const prices = dataset.locations.map((l) => l.price);
    const byPrice = cheapestFirst(prices);
    const broken: string[] = [];
    for (const request of dataset.requests) {
      const rows = dataset.labelled.filter((p) => p.request_id === request.request_id);
      const ids = rows.map((p) => p.location_id);
      const candidates = new Set(
        selectCandidates(prices, byPrice, request.budget).map((i) => i + 1),
      );
      const id = request.request_id;
      if (rows.length !== Math.min(10, candidates.size)) broken.push(`${id}: ${rows.length} shown`);
      if (new Set(ids).size !== ids.length) broken.push(`${id}: a stay shown twice`);
      if (ids.some((l) => !candidates.has(l))) broken.push(`${id}: a stay that is no candidate`);
      if (rows.some((p, k) => p.rank !== k + 1)) broken.push(`${id}: ranks`);
      if (rows.filter((p) => p.label === 1).length > 1) broken.push(`${id}: several chosen`);
    }
    expect(broken).toEqual([]);
  });

  it('labels 1 only stays that the request profile accepts, and counts every outcome', () => {
    const profiles = new Map(travellers.map((p) => [p.name, p]));
    for (const pair of dataset.labelled.filter((p) => p.label === 1)) {
      const request = dataset.requests[pair.request_id - 1]!;
      const location = dataset.locations[pair.location_id - 1]!;
      expect(scoreStay(profiles.get(request.profile)!, request, location)).toBeGreaterThan(0);
    }
    const { exploited, explored, ignored, nothing_acceptable } = dataset.outcomes;
    expect(exploited + explored + ignored + nothing_acceptable).toBe(400);
    const summary = summarizeDataset(dataset);
    expect(summary.requestsWithChoice).toBe(exploited + explored);
    // The shipped profiles choose often: a useful share of positives for training.
    expect(summary.choiceShare).toBeGreaterThan(0.5);
    expect(summary.positiveRate).toBeCloseTo(summary.requestsWithChoice / 4000, 10);
  });

  it('keeps the catalogue and the requests when only the number shown changes', () => {
    const fewer = generateDataset({ ...base, requests: 100, shownPerRequest: 3 });
    expect(fewer.locations).toEqual(dataset.locations);
    expect(fewer.requests).toEqual(dataset.requests.slice(0, 100));
    expect(fewer.labelled).toHaveLength(300);
  });

  it('shows every candidate when there are fewer than shownPerRequest', () => {
    const small = generateDataset({
      ...base,
      requests: 20,
      candidates: { maxPriceRatio: 0, minCandidates: 3 },
    });
    const cheapest = [...small.locations].sort((a, b) => a.price - b.price).slice(0, 3);
    for (const request of small.requests) {
      const shown = small.labelled.filter((p) => p.request_id === request.request_id);
      expect(shown.map((p) => p.location_id).sort()).toEqual(cheapest.map((l) => l.id).sort());
    }
  });

  it('draws the noisy profile into valid requests, some of which choose', async () => {
    const noisy = generateDataset({
      ...base,
      requests: 200,
      travellerProfiles: await readTravellerProfiles(NOISY_TRAVELLER_PROFILES),
    });
    expect(noisy.requests.filter((r) => !travellerRequestSchema.safeParse(r).success)).toEqual([]);
    expect(noisy.requests.every((r) => r.profile === 'Noisy groups')).toBe(true);
    expect(summarizeDataset(noisy).choiceShare).toBeGreaterThan(0.3);
  });

  it('rejects impossible options', () => {
    expect(() => generateDataset({ ...base, shownPerRequest: 0 })).toThrow(/shownPerRequest/);
    expect(() => generateDataset({ ...base, requests: 1.5 })).toThrow(/requests/);
    expect(() => generateDataset({ ...base, seed: 2 ** 32 })).toThrow(/32-bit/);
    expect(() => generateDataset({ ...base, startDate: '01/01/2026' })).toThrow(/YYYY-MM-DD/);
    expect(() => generateDataset({ ...base, locationProfiles: [] })).toThrow(/no stays/);
  });
});
