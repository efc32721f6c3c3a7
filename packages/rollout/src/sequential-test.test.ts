// The sequential test's error rates on simulated streams: feedback arrives one at a time, split
// between the arms as a canary splits traffic, and the test is looked at after every one (the
// decision loop may look that often). A/A: it must promote at most alpha of the streams. A/B:
// it must find a clear difference, in the right direction.
import { createRng, type Rng } from '@predictq/random';

import { type SequentialTestOptions, sequentialTest } from './sequential-test';
import { wilsonInterval } from './wilson';

const options: SequentialTestOptions = {
  alpha: 0.05,
  mixtureSd: 0.1,
  minFeedback: 100,
  maxFeedback: 2000,
};

type Ending = 'promoted' | 'rolled_back' | 'inconclusive';

/** One stream until the test ends it (at the latest when the candidate has maxFeedback). */
function runStream(
  rng: Rng,
  candidateRate: number,
  activeRate: number,
  share: number,
  opts: SequentialTestOptions,
): Ending {
  const candidate = { feedback: 0, chosen: 0 };
  const active = { feedback: 0, chosen: 0 };
  for (;;) {
    const arm = rng.bernoulli(share) ? candidate : active;
    arm.feedback += 1;
    if (rng.bernoulli(arm === candidate ? candidateRate : activeRate)) arm.chosen += 1;
    const { verdict } = sequentialTest(candidate, active, opts);
    if (verdict === 'candidate_better') return 'promoted';
    if (verdict === 'candidate_worse') return 'rolled_back';
    if (verdict === 'inconclusive') return 'inconclusive';
  }
}

function tally(streams: number, seed: number, pc: number, pa: number, share = 0.3) {
  const rng = createRng(seed);
  const counts = { promoted: 0, rolled_back: 0, inconclusive: 0 };
  for (let i = 0; i < streams; i++) counts[runStream(rng, pc, pa, share, options)] += 1;
  return counts;
}

describe('the sequential test (mSPRT on acceptance)', () => {
  it.each([
    ['around 50%', 0.5],
    ['around 30%', 0.3],
    ['around 80%', 0.8],
  ])('A/A %s: promotes at most alpha of 300 streams, looked at after every feedback', (_, rate) => {
    const counts = tally(300, 7, rate, rate);
    // The false-promotion rate, with its sampling noise: its 95% Wilson interval must not sit
    // above alpha, and the point estimate must be at most alpha.
    expect(counts.promoted / 300).toBeLessThanOrEqual(options.alpha);
    const interval = wilsonInterval(counts.promoted, 300)!;
    expect(interval[0]).toBeLessThanOrEqual(options.alpha);
    // Any verdict either way is an error under A/A: the two together are bounded by alpha too.
    expect((counts.promoted + counts.rolled_back) / 300).toBeLessThanOrEqual(options.alpha);
  });

  it('A/B: promotes a clearly better candidate (30% -> 45%) in nearly every stream', () => {
    const counts = tally(200, 11, 0.45, 0.3);
    expect(counts.rolled_back).toBe(0);
    expect(counts.promoted / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('A/B: rolls back a clearly worse candidate (45% -> 30%) in nearly every stream', () => {
    const counts = tally(200, 12, 0.3, 0.45);
    expect(counts.promoted).toBe(0);
    expect(counts.rolled_back / 200).toBeGreaterThanOrEqual(0.95);
  });

  it('waits for min_feedback on both arms, however large the gap', () => {
    const few = sequentialTest({ feedback: 50, chosen: 50 }, { feedback: 99, chosen: 0 }, options);
    expect(few.verdict).toBe('continue');
    const enough = sequentialTest(
      { feedback: 100, chosen: 90 },
      { feedback: 100, chosen: 10 },
      options,
    );
    expect(enough.verdict).toBe('candidate_better');
    expect(enough.interval![0]).toBeGreaterThan(0);
  });

  it('gives up at max_feedback on the candidate when nothing is conclusive', () => {
    const result = sequentialTest(
      { feedback: 2000, chosen: 1000 },
      { feedback: 5000, chosen: 2500 },
      options,
    );
    expect(result.verdict).toBe('inconclusive');
    expect(result.interval![0]).toBeLessThan(0);
    expect(result.interval![1]).toBeGreaterThan(0);
  });

  it('answers continue with no feedback on an arm', () => {
    expect(
      sequentialTest({ feedback: 0, chosen: 0 }, { feedback: 10, chosen: 5 }, options).verdict,
    ).toBe('continue');
  });
});

describe('wilsonInterval', () => {
  it('holds the proportion, stays within [0, 1], and is null without trials', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    const [lo, hi] = wilsonInterval(0, 10)!;
    expect(lo).toBe(0);
    expect(hi).toBeGreaterThan(0.2);
    const [l2, h2] = wilsonInterval(30, 100)!;
    expect(l2).toBeLessThan(0.3);
    expect(h2).toBeGreaterThan(0.3);
    expect(h2 - l2).toBeCloseTo(0.177, 2);
  });
});
