import type { DriftOutcome } from './drift-scenario';
import { formatDriftTally } from './drift-tally';

const outcome = (seed: number, promoted: boolean, drifted: number | null): DriftOutcome => ({
  seed,
  rollout: null,
  baselineVersion: 1,
  regular: 0.9,
  drifted: 0.02,
  candidate: { version: 2, auc: 0.9 },
  active: { version: 1, auc: 0.88 },
  promoted,
  reason: promoted ? 'better' : 'not better',
  after: promoted ? { drifted, regular: 0.88 } : null,
});

describe('formatDriftTally', () => {
  it('has a row per seed and tallies the promotions and the acceptance after them', () => {
    const text = formatDriftTally([
      outcome(1, true, 0.8),
      outcome(2, false, null),
      outcome(3, true, 0.7),
    ]);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^ +1 +90\.0% +2\.0% +0\.880 → 0\.900 +yes +80\.0% +88\.0%$/);
    expect(lines[2]).toMatch(/^ +2 .* no +n\/a +n\/a$/);
    expect(text).toContain('promoted 2/3');
    expect(text).toContain('drifted median 75.0% (70.0% to 80.0%)');
  });
});
