import { choiceMetrics, expectedOverRank, type LoggedChoice } from './choice-metrics';

const choice = (scores: number[], chosen: number | null, weight = 1): LoggedChoice => ({
  scores,
  chosen,
  weight,
});

describe('choiceMetrics', () => {
  // Prediction A chose the stay it ranks 2nd; B chose its 1st; C answered "none fitted".
  const a = choice([0.5, 0.3, 0.1], 1);
  const b = choice([0.2, 0.6, 0.1], 1);
  const c = choice([0.3, 0.2, 0.1], null);
  const m = choiceMetrics([a, b, c]);

  it('counts predictions, shown rows and chosen stays', () => {
    expect([m.predictions, m.rows, m.chosen, m.effective_predictions]).toEqual([3, 9, 2, 3]);
  });

  it('ranks the chosen stay among the shown ones, over the predictions that chose one', () => {
    expect(m.mrr).toBeCloseTo((1 / 2 + 1) / 2, 12);
    expect(m.ndcg).toBeCloseTo((1 / Math.log2(3) + 1) / 2, 12);
    expect(m.hit_at_3).toBe(1);
    // Ranked 4th of 4: not a hit at 3.
    expect(choiceMetrics([choice([0.4, 0.3, 0.2, 0.1], 3)]).hit_at_3).toBe(0);
  });

  it('takes the log-loss and the rates over every shown row, "none fitted" ones included', () => {
    const loss =
      -(Math.log(0.5) + Math.log(0.3) + Math.log(0.9)) -
      (Math.log(0.8) + Math.log(0.6) + Math.log(0.9)) -
      (Math.log(0.7) + Math.log(0.8) + Math.log(0.9));
    expect(m.log_loss).toBeCloseTo(loss / 9, 12);
    expect(m.mean_predicted).toBeCloseTo(2.4 / 9, 12);
    expect(m.observed_rate).toBeCloseTo(2 / 9, 12);
  });

  it('compares the observed "none fitted" rate with 1 − Σ scores, floored at 0', () => {
    expect(m.none_rate).toBeCloseTo(1 / 3, 12);
    // 1 − 0.9 = 0.1 for A and B, 1 − 0.6 = 0.4 for C.
    expect(m.none_rate_predicted).toBeCloseTo(0.6 / 3, 12);
    expect(choiceMetrics([choice([0.7, 0.6], null)]).none_rate_predicted).toBe(0);
  });

  it('bins the scores in tenths for the expected calibration error', () => {
    // Bin 0.3: scores 0.3, 0.3 → mean 0.3, one chosen of two (0.5). Bin 0.5: 0.5, chosen 0.
    expect(choiceMetrics([choice([0.35, 0.35], 0), choice([0.55], null)]).ece).toBeCloseTo(
      (2 / 3) * 0.15 + (1 / 3) * 0.55,
      12,
    );
    // A score of exactly 1 falls in the last bin.
    expect(choiceMetrics([choice([1], 0)]).ece).toBe(0);
  });

  it('weights each prediction, and its rows, by its weight', () => {
    const weighted = choiceMetrics([{ ...a, weight: 3 }, b]);
    expect(weighted.mrr).toBeCloseTo((3 * 0.5 + 1) / 4, 12);
    expect(weighted.effective_predictions).toBeCloseTo(16 / 10, 12);
    expect(weighted.observed_rate).toBeCloseTo(1 / 3, 12);
    // Weight 2 on one prediction gives the means of that prediction twice.
    const doubled = choiceMetrics([{ ...a, weight: 2 }, c]);
    const repeated = choiceMetrics([a, a, c]);
    const means = [
      'mrr',
      'ndcg',
      'log_loss',
      'ece',
      'observed_rate',
      'none_rate_predicted',
    ] as const;
    for (const key of means) expect(doubled[key]).toBeCloseTo(repeated[key]!, 12);
  });

  it('leaves the ranking metrics null without a chosen stay, and every mean null without data', () => {
    expect(choiceMetrics([c])).toMatchObject({ chosen: 0, mrr: null, ndcg: null, hit_at_3: null });
    expect(choiceMetrics([])).toMatchObject({
      predictions: 0,
      mrr: null,
      log_loss: null,
      ece: null,
      none_rate: null,
      effective_predictions: 0,
    });
  });

  it('counts the chosen stays the model would show again, and the rejected ones it would repeat', () => {
    const withKept = choiceMetrics([
      { ...a, kept: [true, true, false] },
      { ...b, kept: [true, false, true] },
      { ...c, kept: [true, false, false] },
      { ...c, kept: [true, true, true], weight: 2 },
    ]);
    // A's chosen stay (1) is kept, B's (1) is not.
    expect(withKept.chosen_kept).toBe(0.5);
    // "None fitted": 1 of 3 repeated (weight 1), 3 of 3 (weight 2).
    expect(withKept.rejected_repeated).toBeCloseTo((1 / 3 + 2 * 1) / 3, 12);
    expect(m).toMatchObject({ chosen_kept: null, rejected_repeated: null });
  });

  it('refuses a bad weight, a chosen index out of range, and scores outside [0, 1]', () => {
    expect(() => choiceMetrics([choice([0.1], 0, 0)])).toThrow('choice 0 has weight 0');
    expect(() => choiceMetrics([choice([0.1], 1)])).toThrow('choice 0 chose stay 1 of 1');
    expect(() => choiceMetrics([choice([1.5], null)])).toThrow('choice 0: score 0 is 1.5');
    expect(() => choiceMetrics([choice([], null)])).toThrow('choice 0 shows no stay');
    expect(() => choiceMetrics([{ ...choice([0.1], null), kept: [] }])).toThrow(
      'choice 0 has 0 kept flags for 1 stays',
    );
  });
});

describe('expectedOverRank', () => {
  it('breaks ties uniformly: the mean of f over the ranks the tie spans', () => {
    // One stay above, two tied with the chosen one: rank 2, 3 or 4.
    expect(expectedOverRank([0.9, 0.5, 0.5, 0.5], 1, (r) => 1 / r)).toBeCloseTo(
      (1 / 2 + 1 / 3 + 1 / 4) / 3,
      12,
    );
    expect(expectedOverRank([0.2, 0.2], 0, (r) => (r <= 1 ? 1 : 0))).toBe(0.5);
    expect(expectedOverRank([0.1, 0.2, 0.3], 2, (r) => r)).toBe(1);
  });
});
