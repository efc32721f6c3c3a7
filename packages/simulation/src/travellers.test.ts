import { MAX_PEOPLE, travellerRequestSchema } from '@predictq/domain';
import { createRng } from '@predictq/random';
import { NOISY_TRAVELLER_PROFILES, readTravellerProfiles, type TravellerProfile } from './profiles';
import { generateRequest, parseIsoDate, pickProfile, type GeneratedRequest } from './travellers';

let profiles: TravellerProfile[];
beforeAll(async () => {
  profiles = [
    ...(await readTravellerProfiles()),
    ...(await readTravellerProfiles(NOISY_TRAVELLER_PROFILES)),
  ];
});

const startDate = '2026-01-01';
const DAY_MS = 86_400_000;

describe('generateRequest', () => {
  it('always gives a valid request within its profile ranges (every shipped profile)', () => {
    const rng = createRng(11);
    const start = Date.parse(startDate);
    // Broken rules are collected and compared once: an expect per field and draw is slow.
    const broken: string[] = [];
    const check = (ok: boolean, rule: string, request: GeneratedRequest): void => {
      if (!ok) broken.push(`${rule}: ${JSON.stringify(request)}`);
    };
    for (const p of profiles) {
      for (let i = 0; i < 300; i++) {
        const r = generateRequest(p, rng, { startDate });
        check(travellerRequestSchema.safeParse(r).success, 'schema', r);
        check(r.profile === p.name, 'profile', r);
        check(r.people_num >= p.people_min && r.people_num <= p.people_max, 'people', r);
        check(
          r.people_age.every((a) => a >= p.age_min && a <= p.age_max),
          'ages',
          r,
        );
        const minors = r.people_age.filter((a) => a < p.minor_age).length;
        check(r.children_num === (p.minor_age > 0 ? minors : 0), 'children', r);
        check(r.budget >= p.budget_min && r.budget <= p.budget_max, 'budget', r);
        check(Number(r.budget.toFixed(2)) === r.budget, 'budget in cents', r);
        check(r.nights >= p.nights_min && r.nights <= p.nights_max, 'nights', r);
        const days = (Date.parse(r.time_arrival) - start) / DAY_MS;
        check(Number.isInteger(days) && days >= 0 && days <= 364, 'arrival', r);
      }
    }
    expect(broken).toEqual([]);
  });

  it('reaches both ends of the integer ranges and stays valid at the people limit', () => {
    const profile = { ...profiles[0]!, people_min: 99, people_max: MAX_PEOPLE, nights_max: 3 };
    const rng = createRng(12);
    const requests = Array.from({ length: 200 }, () =>
      generateRequest(profile, rng, { startDate }),
    );
    expect(new Set(requests.map((r) => r.people_num))).toEqual(new Set([99, 100]));
    expect(new Set(requests.map((r) => r.nights))).toEqual(new Set([1, 2, 3]));
    for (const r of requests) expect(travellerRequestSchema.safeParse(r).success).toBe(true);
  });

  it('counts no children when minor_age is 0, however young the group', () => {
    const profile = { ...profiles[0]!, age_min: 0, age_max: 5, minor_age: 0 };
    const request = generateRequest(profile, createRng(13), { startDate });
    expect(Math.max(...request.people_age)).toBeLessThanOrEqual(5);
    expect(request.children_num).toBe(0);
  });

  it('asks for each wish with its probability', () => {
    const profile = { ...profiles[0]!, spa_thr: 0, pool_thr: 1, lakes_thr: 0.25 };
    const rng = createRng(14);
    const requests = Array.from({ length: 4000 }, () =>
      generateRequest(profile, rng, { startDate }),
    );
    expect(requests.some((r) => r.spa)).toBe(false);
    expect(requests.every((r) => r.pool)).toBe(true);
    const lakes = requests.filter((r) => r.lake).length / requests.length;
    expect(lakes).toBeGreaterThan(0.22);
    expect(lakes).toBeLessThan(0.28);
  });

  it('is the same for the same seed and rejects a start that is not a date', () => {
    const a = generateRequest(profiles[1]!, createRng(15), { startDate });
    expect(generateRequest(profiles[1]!, createRng(15), { startDate })).toEqual(a);
    expect(() => generateRequest(profiles[1]!, createRng(15), { startDate: '2026-13-01' })).toThrow(
      /YYYY-MM-DD/,
    );
  });
});

describe('parseIsoDate', () => {
  it('accepts real dates only', () => {
    expect(parseIsoDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(() => parseIsoDate('2026-02-29')).toThrow(/got "2026-02-29"/);
    expect(() => parseIsoDate('2026-1-01')).toThrow(RangeError);
  });
});

describe('pickProfile', () => {
  it('picks profiles in proportion to their weight and never one of weight 0', () => {
    const weighted = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 0 },
      { name: 'c', weight: 3 },
    ];
    const rng = createRng(16);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 8000; i++) counts[pickProfile(weighted, rng).name]! += 1;
    expect(counts.b).toBe(0);
    expect(counts.c! / counts.a!).toBeGreaterThan(2.7);
    expect(counts.c! / counts.a!).toBeLessThan(3.3);
  });

  it('refuses an empty list', () => {
    expect(() => pickProfile([], createRng(1))).toThrow(/no profiles/);
  });
});
