import { budgetBand, groupKind, segmentOf } from './segment';

const request = { people_num: 2, children_num: 0, budget: 300 };

describe('segmentOf', () => {
  it('names the declared profile when there is one', () => {
    expect(segmentOf({ ...request, profile: 'Noisy groups' })).toBe('profile:Noisy groups');
  });

  it('falls back to group kind and budget band without a profile (or with an empty one)', () => {
    expect(segmentOf(request)).toBe('features:couple/150-400');
    expect(segmentOf({ ...request, profile: '' })).toBe('features:couple/150-400');
    expect(segmentOf({ people_num: 18, children_num: 0, budget: 15_000 })).toBe(
      'features:group/1000-up',
    );
  });
});

describe('groupKind', () => {
  it('makes any group with children a family, else counts heads', () => {
    expect(groupKind({ people_num: 1, children_num: 0 })).toBe('solo');
    expect(groupKind({ people_num: 2, children_num: 0 })).toBe('couple');
    expect(groupKind({ people_num: 2, children_num: 1 })).toBe('family');
    expect(groupKind({ people_num: 8, children_num: 3 })).toBe('family');
    expect(groupKind({ people_num: 3, children_num: 0 })).toBe('group');
  });
});

describe('budgetBand', () => {
  it('puts each bound in the band it opens', () => {
    expect([0.5, 149.99, 150, 399, 400, 999, 1000, 20_000].map(budgetBand)).toEqual([
      'under-150',
      'under-150',
      '150-400',
      '150-400',
      '400-1000',
      '400-1000',
      '1000-up',
      '1000-up',
    ]);
  });
});
