import { seedList } from './cli';

describe('seedList', () => {
  it('reads a range, a list or one seed', () => {
    expect(seedList('1..5')).toEqual([1, 2, 3, 4, 5]);
    expect(seedList(' 3 .. 3 ')).toEqual([3]);
    expect(seedList('7,2,9')).toEqual([7, 2, 9]);
    expect(seedList('42')).toEqual([42]);
  });

  it('refuses an empty range, words and seeds wider than 32 bits', () => {
    expect(() => seedList('5..1')).toThrow(/1 to 1000 seeds/);
    expect(() => seedList('1..x')).toThrow();
    expect(() => seedList('1,two')).toThrow(/integer/);
    expect(() => seedList(String(2 ** 31))).toThrow(/integer/);
  });
});
