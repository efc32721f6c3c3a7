import type { Metrics } from '@predictq/model';

import { promotionDecision } from './run-training';

const metrics = (auc: number | null): Metrics => ({
  rows: 100,
  positives: 10,
  auc,
  accuracy: 0.9,
  precision: 0.5,
  recall: 0.5,
  f1: 0.5,
  log_loss: 0.3,
  threshold: 0.5,
});
const active = (auc: number | null) => ({ modelId: 'a', version: 1, metrics: metrics(auc) });

describe('promotionDecision', () => {
  it('promotes only when the AUC gain is above the margin', () => {
    expect(promotionDecision(metrics(0.8), active(0.79), 0.005)).toMatchObject({ promoted: true });
    expect(promotionDecision(metrics(0.8), active(0.796), 0.005)).toMatchObject({
      promoted: false,
    });
    expect(promotionDecision(metrics(0.8), active(0.8), 0)).toMatchObject({ promoted: false });
    expect(promotionDecision(metrics(0.7), active(0.8), 0)).toMatchObject({
      promoted: false,
      reason: expect.stringContaining('does not beat'),
    });
  });

  it('promotes when there is no active model, and never on an undefined AUC', () => {
    expect(promotionDecision(metrics(0.6), null, 0.1)).toMatchObject({
      promoted: true,
      improvement: null,
    });
    expect(promotionDecision(metrics(null), active(0.8), 0)).toMatchObject({ promoted: false });
    expect(promotionDecision(metrics(0.9), active(null), 0)).toMatchObject({ promoted: false });
  });
});
