import { DrainRate } from './drain-rate';

describe('the drain rate', () => {
  it('averages what ended over the last minute, and forgets what is older', () => {
    let now = 1_000_000;
    const rate = new DrainRate(60, () => now);
    expect(rate.perSecond()).toBe(0);
    rate.record(30);
    now += 10_000;
    rate.record(30);
    expect(rate.perSecond()).toBe(1);
    now += 55_000; // the first 30 are 65 s old now
    expect(rate.perSecond()).toBe(0.5);
    now += 60_000;
    expect(rate.perSecond()).toBe(0);
    rate.record(6); // a slot reused a minute later starts again from zero
    expect(rate.perSecond()).toBe(0.1);
  });
});
