import { RefusalPacer } from './refusal-pacer';

describe('RefusalPacer', () => {
  it('asks for the minimum wait while few clients are refused', () => {
    let now = 0;
    const pacer = new RefusalPacer({ pace: 200, minS: 1, maxS: 60, now: () => now });
    for (let s = 0; s < 5; s++, now += 1000) {
      for (let i = 0; i < 50; i++) expect(pacer.next()).toBe(1);
    }
  });

  it('spreads a crowd of refused clients so that they return at about the pace', () => {
    let now = 0;
    const pacer = new RefusalPacer({ pace: 200, minS: 1, maxS: 60, now: () => now });
    // 2,000 clients that each come back when told: simulate the refusals per second.
    const clients = 2000;
    let wait = 1;
    for (let s = 0; s < 30; s++, now += 1000) {
      const arriving = Math.round(clients / wait);
      let waitSum = 0;
      for (let i = 0; i < arriving; i++) waitSum += pacer.next();
      wait = waitSum / arriving;
    }
    const rate = clients / wait;
    expect(rate).toBeGreaterThan(120);
    expect(rate).toBeLessThan(320);
  });

  it('never asks for more than the maximum', () => {
    let now = 0;
    const pacer = new RefusalPacer({ pace: 1, minS: 1, maxS: 5, now: () => now });
    for (let s = 0; s < 5; s++, now += 1000) for (let i = 0; i < 1000; i++) pacer.next();
    expect(pacer.next()).toBe(5);
  });
});
