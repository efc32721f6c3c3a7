import { Failpoints } from './failpoints';

describe('Failpoints', () => {
  it('are off unless named, and cost nothing then', () => {
    const failpoints = new Failpoints(undefined, false);
    expect(failpoints.enabled).toBe(false);
    expect(failpoints.fires('submit.after-insert')).toBe(false);
  });

  it('fire by probability, on every N-th pass, or give their argument', () => {
    const failpoints = new Failpoints('a=0.5, b=every:3, c=777.5', false);
    expect(failpoints.fires('a', () => 0.4)).toBe(true);
    expect(failpoints.fires('a', () => 0.6)).toBe(false);
    expect([1, 2, 3, 4, 5, 6].map(() => failpoints.fires('b'))).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(failpoints.value('c')).toBe('777.5');
  });

  it('are refused in production', () => {
    expect(() => new Failpoints('a=1', true)).toThrow(/refused when NODE_ENV=production/);
    expect(new Failpoints(undefined, true).enabled).toBe(false);
  });
});
