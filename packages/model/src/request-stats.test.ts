import { enrichRequest } from '@predictq/domain';

import { requestStats } from './request-stats';
import type { TrainingExample } from './train';

const base = {
  people_age: [30, 30],
  children_num: 0,
  nights: 2,
  time_arrival: '2026-01-01',
  pool: false,
  spa: false,
  pet_friendly: false,
  lake: false,
  mountain: false,
  sport: false,
};
const a = enrichRequest({ ...base, people_num: 2, budget: 100, pool: true });
const b = enrichRequest({ ...base, people_num: 2, budget: 300 });
const stay = {} as TrainingExample['location'];

describe('requestStats', () => {
  it('counts each request once, however many rows it has, and only the given rows', () => {
    const examples: TrainingExample[] = [
      { request: a, location: stay, label: 0, group: 1 },
      { request: a, location: stay, label: 1, group: 1 },
      { request: a, location: stay, label: 0, group: 1 },
      { request: b, location: stay, label: 0, group: 2 },
      {
        request: enrichRequest({ ...base, people_num: 2, budget: 9999 }),
        location: stay,
        label: 0,
        group: 3,
      },
    ];
    const stats = requestStats(examples, [0, 1, 2, 3]);
    expect(stats.requests).toBe(2);
    expect(stats.features.budget).toEqual({ mean: 200, std: 100 });
    expect(stats.features.pool).toEqual({ mean: 0.5, std: 0.5 });
    expect(stats.features.age_avg).toEqual({ mean: 30, std: 0 });
  });
});
