import { dueCount, parseRamp, scheduledBefore, scheduledOffsetMs } from './schedule';

describe('the open-loop timetable', () => {
  it('spaces sessions evenly at the rate, the first at the start', () => {
    expect([0, 1, 2, 3].map((i) => scheduledOffsetMs(i, 4))).toEqual([0, 250, 500, 750]);
    expect(scheduledOffsetMs(3, 300)).toBeCloseTo(10, 9);
  });

  it('counts the sessions due at a time, its own included', () => {
    expect(dueCount(-1, 100)).toBe(0);
    expect(dueCount(0, 100)).toBe(1);
    expect(dueCount(9.99, 100)).toBe(1);
    expect(dueCount(10, 100)).toBe(2);
    expect(dueCount(1000, 100)).toBe(101);
    // Floating point must not lose the session due exactly now.
    expect(dueCount(scheduledOffsetMs(7, 300), 300)).toBe(8);
  });

  it('counts the sessions scheduled before an end', () => {
    expect(scheduledBefore(1000, 100)).toBe(100);
    expect(scheduledBefore(1001, 100)).toBe(101);
    expect(scheduledBefore(2000, 250)).toBe(500);
    expect(scheduledBefore(0, 100)).toBe(0);
  });
});

describe('parseRamp', () => {
  it('lists the rates from, step by step, up to and including to', () => {
    expect(parseRamp('50:200:50')).toEqual([50, 100, 150, 200]);
    expect(parseRamp('10:25:10')).toEqual([10, 20]);
    expect(parseRamp('5:5:1')).toEqual([5]);
    expect(parseRamp('0.5:1.5:0.5')).toEqual([0.5, 1, 1.5]);
  });

  it('refuses malformed, empty and huge ramps', () => {
    for (const bad of ['50:200', '50:x:5', '200:50:10', '0:10:5', '1:10:-1']) {
      expect(() => parseRamp(bad)).toThrow(/from:to:step/);
    }
    expect(() => parseRamp('1:1000:1')).toThrow(/100 at most/);
  });
});
