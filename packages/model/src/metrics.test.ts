import { auc, evaluate } from './metrics';

describe('evaluate', () => {
  // scores ≥ 0.5 are predicted positive: tp = 3 (0.9, 0.7, 0.6), fp = 1 (0.8), fn = 0, tn = 2.
  const scores = [0.9, 0.8, 0.7, 0.6, 0.4, 0.2];
  const labels = [1, 0, 1, 1, 0, 0];

  it('computes accuracy, precision, recall and f1 from the confusion table', () => {
    const m = evaluate(scores, labels);
    expect(m.rows).toBe(6);
    expect(m.positives).toBe(3);
    expect(m.accuracy).toBeCloseTo(5 / 6, 12);
    expect(m.precision).toBeCloseTo(3 / 4, 12);
    expect(m.recall).toBe(1);
    expect(m.f1).toBeCloseTo(6 / 7, 12); // 2 · 0.75 · 1 / 1.75
    expect(m.threshold).toBe(0.5);
  });

  it('counts positive-negative pairs ordered correctly for the AUC', () => {
    // 0.9 beats all 3 negatives, 0.7 and 0.6 beat 0.4 and 0.2: 7 of 9 pairs.
    expect(evaluate(scores, labels).auc).toBeCloseTo(7 / 9, 12);
  });

  it('moves the confusion table with the threshold (a score equal to it is positive)', () => {
    const m = evaluate(scores, labels, 0.7);
    expect([m.precision, m.recall]).toEqual([2 / 3, 2 / 3]);
  });

  it('is 0 for precision, recall and f1 when nothing is predicted positive', () => {
    const m = evaluate([0.1, 0.2, 0.3], [1, 0, 1]);
    expect([m.precision, m.recall, m.f1]).toEqual([0, 0, 0]);
    expect(m.accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('computes the mean log-loss and clips certain mistakes to a finite value', () => {
    expect(evaluate([0.8, 0.4], [1, 0]).log_loss).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.6)) / 2,
      12,
    );
    expect(evaluate([0, 1], [1, 1]).log_loss).toBeCloseTo(-Math.log(1e-15) / 2, 9);
  });

  it('reports a null AUC when only one class is present', () => {
    const m = evaluate([0.2, 0.9, 0.6], [1, 1, 1]);
    expect(m.auc).toBeNull();
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(evaluate([0.2, 0.9], [0, 0]).auc).toBeNull();
  });

  it('rejects mismatched lengths, empty input, labels other than 0/1 and invalid scores', () => {
    expect(() => evaluate([0.1, 0.2], [1])).toThrow('scores has 2 rows but labels has 1');
    expect(() => evaluate([], [])).toThrow('cannot evaluate zero rows');
    expect(() => evaluate([0.1], [2])).toThrow('label 0 is 2, not 0 or 1');
    expect(() => evaluate([NaN], [1])).toThrow('score 0 is NaN, not in [0, 1]');
  });
});

describe('auc', () => {
  it('gives tied scores their average rank (a positive-negative tie counts one half)', () => {
    // Positive 0.5 vs negatives 0.5, 0.5 (ties: ½ + ½) and 0.1 (win: 1): 2 of 3 pairs.
    expect(auc([0.5, 0.5, 0.5, 0.1], [1, 0, 0, 0])).toBeCloseTo(2 / 3, 12);
    expect(auc([0.3, 0.3], [1, 0])).toBe(0.5);
    // Positives 0.8, 0.4 and 0.4 vs negatives 0.4, 0.2: 1 + 1 + (½ + 1) + (½ + 1) = 5 of 6.
    expect(auc([0.8, 0.4, 0.4, 0.4, 0.2], [1, 1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });
});
