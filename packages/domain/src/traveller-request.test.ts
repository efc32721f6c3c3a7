import {
  ageStats,
  EXAMPLE_TRAVELLER_REQUEST,
  enrichOncePer,
  pickTravellerRequest,
  travellerRequestSchema,
} from './traveller-request';

const valid = {
  ...EXAMPLE_TRAVELLER_REQUEST,
  people_num: 2,
  people_age: [30, 4],
  budget: 250,
  nights: 3,
  time_arrival: '2026-07-14',
};

function issuesOf(body: unknown): string[] {
  const result = travellerRequestSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('travellerRequestSchema', () => {
  it('accepts a valid request and keeps an optional profile', () => {
    expect(issuesOf(valid)).toEqual([]);
    expect(travellerRequestSchema.parse({ ...valid, profile: 'Family' }).profile).toBe('Family');
  });

  it('names the field of every broken rule', () => {
    expect(issuesOf({ ...valid, people_age: [30] })).toEqual(['people_age']);
    expect(issuesOf({ ...valid, children_num: 3 })).toEqual(['children_num']);
    expect(issuesOf({ ...valid, time_arrival: '2026-02-30' })).toEqual(['time_arrival']);
    expect(issuesOf({ ...valid, budget: 0 })).toEqual(['budget']);
    expect(issuesOf({ ...valid, nights: 366 })).toEqual(['nights']);
    expect(issuesOf({ ...valid, people_num: 0 })).toContain('people_num');
    expect(issuesOf({ ...valid, people_age: [30, 121] })).toEqual(['people_age.1']);
    expect(issuesOf({ ...valid, spa: 'yes' })).toEqual(['spa']);
  });
});

describe('ageStats', () => {
  it('derives mean, population standard deviation, min and max', () => {
    expect(ageStats([30, 4])).toEqual({ age_avg: 17, age_std: 13, age_min: 4, age_max: 30 });
    expect(ageStats([50])).toEqual({ age_avg: 50, age_std: 0, age_min: 50, age_max: 50 });
  });
});

describe('pickTravellerRequest', () => {
  it('takes the request fields and the profile out of a wider row, and nothing else', () => {
    const row = { ...valid, profile: 'Family', id: 'x', age_avg: 17, price: 10 };
    expect(pickTravellerRequest(row)).toEqual({ ...valid, profile: 'Family' });
    expect(pickTravellerRequest({ ...valid, profile: null })).toEqual(valid);
  });
});

describe('enrichOncePer', () => {
  it('enriches the request of each key once: rows with one key share one object', () => {
    const requestOf = enrichOncePer<number>();
    const first = requestOf(1, { ...valid, location_id: 7 });
    expect(first).toEqual({ ...valid, ...ageStats(valid.people_age) });
    // The second row of request 1 is not read again; request 2 gets its own object.
    expect(requestOf(1, { ...valid, budget: 999, location_id: 8 })).toBe(first);
    const second = requestOf(2, { ...valid, budget: 999 });
    expect(second).not.toBe(first);
    expect(second.budget).toBe(999);
  });
});
