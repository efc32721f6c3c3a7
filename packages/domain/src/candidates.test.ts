import { cheapestFirst, selectCandidates } from './candidates';

const prices = [500, 90, 160, 1000, 100, 140];
const order = cheapestFirst(prices);

describe('selectCandidates', () => {
  it('keeps the stays within budget × ratio, in catalogue order', () => {
    expect(selectCandidates(prices, order, 100, { maxPriceRatio: 1.5, minCandidates: 2 })).toEqual([
      1, 4, 5,
    ]);
  });

  it('fills with the cheapest stays when too few pass', () => {
    expect(selectCandidates(prices, order, 50, { maxPriceRatio: 1.5, minCandidates: 3 })).toEqual([
      1, 4, 5,
    ]);
  });

  it('returns the whole catalogue when it is smaller than the minimum', () => {
    expect(selectCandidates([10, 20], [0, 1], 1, { maxPriceRatio: 1, minCandidates: 5 })).toEqual([
      0, 1,
    ]);
  });
});

describe('cheapestFirst', () => {
  it('orders by price and breaks ties by index', () => {
    expect(cheapestFirst([3, 1, 3, 0])).toEqual([3, 1, 0, 2]);
  });
});
