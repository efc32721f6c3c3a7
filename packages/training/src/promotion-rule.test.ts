import type { ChoiceMetrics } from '@predictq/model';

import { decidePromotion, SMALL_SEGMENTS } from './promotion-rule';
import type {
  Compared,
  OfflineEvaluation,
  OnlineRecord,
  PromotionThresholds,
} from './training-result.schema';

const thresholds: PromotionThresholds = {
  minSegmentPredictions: 30,
  minGain: 0.05,
  minReplaced: 0.5,
  maxHarm: 0.25,
  failingAcceptance: 0.3,
  failingNoneError: 0.3,
};

/** A model's figures on n predictions, 60% of them with a chosen stay. */
function m(
  n: number,
  logLoss: number,
  mrr: number,
  extra: Partial<ChoiceMetrics> = {},
): ChoiceMetrics {
  return {
    predictions: n,
    rows: n * 10,
    chosen: Math.round(n * 0.6),
    effective_predictions: n,
    mrr,
    ndcg: mrr,
    hit_at_3: mrr,
    log_loss: logLoss,
    ece: 0.05,
    mean_predicted: 0.06,
    observed_rate: 0.06,
    none_rate: 0.4,
    none_rate_predicted: 0.4,
    chosen_kept: 1,
    rejected_repeated: 1,
    ...extra,
  };
}

const served = (predictions: number, acceptance: number): OnlineRecord => ({
  predictions,
  chosen: Math.round(predictions * acceptance),
  acceptance,
});

const regular = served(500, 0.85);

/** Segments as [name, active, candidate, online]; overall and the small pool given apart. */
function evaluation(
  overall: Compared,
  segments: [string, ChoiceMetrics, ChoiceMetrics, OnlineRecord?][],
  small: Compared & { segments?: string[] } = { active: m(0, 0, 0), candidate: m(0, 0, 0) },
): OfflineEvaluation {
  return {
    overall,
    segments: Object.fromEntries(
      segments.map(([name, active, candidate, online]) => [
        name,
        { active, candidate, activeOnline: online ?? regular },
      ]),
    ),
    smallSegments: { segments: [], ...small },
  };
}

describe('decidePromotion', () => {
  it('promotes when there is no active model', () => {
    const first = evaluation({ active: null, candidate: m(100, 0.3, 0.5) }, []);
    expect(decidePromotion(first, thresholds)).toEqual({
      promoted: true,
      reason: 'there was no active model',
      betterOverall: false,
      failing: [],
      fixed: [],
      broken: [],
    });
  });

  it('promotes a candidate clearly better overall that breaks no segment', () => {
    const decision = decidePromotion(
      evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.25, 0.5) }, [
        ['profile:Family', m(100, 0.3, 0.5), m(100, 0.26, 0.5)],
        ['profile:Couple', m(100, 0.3, 0.5), m(100, 0.24, 0.5)],
      ]),
      thresholds,
    );
    expect(decision).toMatchObject({ promoted: true, betterOverall: true, broken: [] });
    expect(decision.reason).toBe(
      'clearly better overall: log-loss 0.300 → 0.250 (−16.7%), MRR 0.500 → 0.500 (+0.0%), and breaks no segment',
    );
  });

  it('counts a better MRR as clearly better too, but not with a log-loss worse beyond minGain', () => {
    const better = { active: m(200, 0.3, 0.5), candidate: m(200, 0.3, 0.55) };
    expect(decidePromotion(evaluation(better, []), thresholds).promoted).toBe(true);
    const mixed = { active: m(200, 0.3, 0.5), candidate: m(200, 0.33, 0.6) };
    expect(decidePromotion(evaluation(mixed, []), thresholds)).toMatchObject({
      promoted: false,
      betterOverall: false,
    });
  });

  it('refuses a candidate that wins on average while breaking one profile', () => {
    const decision = decidePromotion(
      evaluation({ active: m(300, 0.3, 0.5), candidate: m(300, 0.22, 0.52) }, [
        ['profile:Couple', m(100, 0.3, 0.5), m(100, 0.15, 0.6)],
        ['profile:Family', m(100, 0.3, 0.5), m(100, 0.4, 0.45)],
        ['profile:Sport', m(100, 0.3, 0.5), m(100, 0.1, 0.55)],
      ]),
      thresholds,
    );
    expect(decision).toMatchObject({
      promoted: false,
      betterOverall: true,
      broken: ['profile:Family'],
    });
    expect(decision.reason).toBe(
      'wins on average (log-loss 0.300 → 0.220 (−26.7%), MRR 0.500 → 0.520 (+4.0%)) but breaks ' +
        'profile:Family (log-loss 0.300 → 0.400 (+33.3%), MRR 0.500 → 0.450 (−10.0%)): ' +
        'worse than the active model by more than 25.0%',
    );
  });

  it('refuses a candidate whose MRR on a segment drops beyond maxHarm, its log-loss fine', () => {
    const decision = decidePromotion(
      evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.2, 0.5) }, [
        ['profile:Family', m(100, 0.3, 0.6), m(100, 0.3, 0.42)],
      ]),
      thresholds,
    );
    expect(decision).toMatchObject({ promoted: false, broken: ['profile:Family'] });
  });

  it('promotes a candidate that would show other stays where users rejected all the active showed', () => {
    // Every answer "none fitted": no log-loss to win, but 80% of the rejected stays replaced.
    const rejecting = (rejected: number) =>
      m(100, 0.0001, 0, { chosen: 0, mrr: null, chosen_kept: null, rejected_repeated: rejected });
    const evaluated = (rejected: number) =>
      evaluation({ active: m(300, 0.3, 0.5), candidate: m(300, 0.3, 0.5) }, [
        ['profile:Noisy groups', rejecting(1), rejecting(rejected), served(400, 0.01)],
      ]);
    const decision = decidePromotion(evaluated(0.2), thresholds);
    expect(decision).toMatchObject({ promoted: true, fixed: ['profile:Noisy groups'] });
    expect(decision.reason).toContain(
      'of the stays its users rejected, the active model would show 100.0% again, the candidate 20.0%',
    );
    expect(decidePromotion(evaluated(0.6), thresholds)).toMatchObject({
      promoted: false,
      fixed: [],
    });
  });

  it('promotes a candidate that fixes a failing segment without harming the others', () => {
    const decision = decidePromotion(
      evaluation({ active: m(300, 0.3, 0.5), candidate: m(300, 0.29, 0.5) }, [
        ['profile:Noisy groups', m(100, 0.6, 0.3), m(100, 0.3, 0.3), served(400, 0.013)],
        ['profile:Family', m(100, 0.2, 0.5), m(100, 0.22, 0.47)],
        ['profile:Couple', m(100, 0.2, 0.5), m(100, 0.23, 0.46)],
      ]),
      thresholds,
    );
    expect(decision).toMatchObject({
      promoted: true,
      betterOverall: false,
      failing: ['profile:Noisy groups'],
      fixed: ['profile:Noisy groups'],
      broken: [],
    });
    expect(decision.reason).toBe(
      "fixes the failing segment profile:Noisy groups, where its users accept 1.3% of the active model's " +
        'rankings (log-loss 0.600 → 0.300 (−50.0%), MRR 0.300 → 0.300 (+0.0%)), and no segment is ' +
        'worse by more than 25.0%',
    );
  });

  it('refuses a fix that breaks another segment, or that does not clearly improve the failing one', () => {
    const failing = ['profile:Noisy groups', m(100, 0.6, 0.3), m(100, 0.3, 0.3), served(400, 0.01)];
    const breaking = evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.3, 0.5) }, [
      failing as [string, ChoiceMetrics, ChoiceMetrics, OnlineRecord],
      ['profile:Family', m(100, 0.2, 0.5), m(100, 0.3, 0.5)],
    ]);
    expect(decidePromotion(breaking, thresholds)).toMatchObject({
      promoted: false,
      fixed: ['profile:Noisy groups'],
      broken: ['profile:Family'],
    });
    const noFix = evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.3, 0.5) }, [
      ['profile:Noisy groups', m(100, 0.6, 0.3), m(100, 0.59, 0.3), served(400, 0.01)],
    ]);
    const decision = decidePromotion(noFix, thresholds);
    expect(decision).toMatchObject({
      promoted: false,
      failing: ['profile:Noisy groups'],
      fixed: [],
    });
    expect(decision.reason).toMatch(
      /^not clearly better overall .*, and does not fix profile:Noisy groups$/,
    );
  });

  it('finds a failing segment by its misjudged "none fitted" rate too', () => {
    const misjudged = m(100, 0.6, 0.3, { none_rate: 0.9, none_rate_predicted: 0.2 });
    const decision = decidePromotion(
      evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.3, 0.5) }, [
        ['features:group/1000-up', misjudged, m(100, 0.4, 0.3)],
      ]),
      thresholds,
    );
    expect(decision).toMatchObject({ promoted: true, fixed: ['features:group/1000-up'] });
    expect(decision.reason).toContain(
      'the active model expects 20.0% "none fitted", users said 90.0%',
    );
  });

  it('does not count segments under the minimum size, nor their online record', () => {
    const decision = decidePromotion(
      evaluation(
        { active: m(200, 0.3, 0.5), candidate: m(200, 0.25, 0.5) },
        [
          // Far worse, but on 20 predictions: pooled instead, and the pool is too small as well.
          ['profile:Luxury', m(20, 0.3, 0.5), m(20, 0.9, 0.1)],
          // Failing online, but held out on too few predictions to judge a fix.
          ['profile:Noisy groups', m(10, 0.6, 0.3), m(10, 0.1, 0.3), served(400, 0.01)],
        ],
        { active: m(29, 0.3, 0.5), candidate: m(29, 0.9, 0.1) },
      ),
      thresholds,
    );
    expect(decision).toMatchObject({ promoted: true, failing: [], fixed: [], broken: [] });
    // An online record under the minimum does not make a segment failing either.
    const fewServed = evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.3, 0.5) }, [
      ['profile:Noisy groups', m(100, 0.6, 0.3), m(100, 0.3, 0.3), served(29, 0.01)],
    ]);
    expect(decidePromotion(fewServed, thresholds)).toMatchObject({ promoted: false, failing: [] });
  });

  it('judges the small segments pooled as one, and MRR only on enough chosen stays', () => {
    const pooled = { active: m(60, 0.3, 0.5), candidate: m(60, 0.45, 0.5), segments: ['a', 'b'] };
    expect(
      decidePromotion(
        evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.25, 0.5) }, [], pooled),
        thresholds,
      ),
    ).toMatchObject({ promoted: false, broken: [SMALL_SEGMENTS] });
    // 40 predictions count, but their 24 chosen stays are too few for the MRR to.
    const fewChosen = evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.25, 0.5) }, [
      ['profile:Family', m(40, 0.3, 0.6), m(40, 0.3, 0.2)],
    ]);
    expect(decidePromotion(fewChosen, thresholds)).toMatchObject({ promoted: true, broken: [] });
  });

  it('measures a segment near log-loss 0 against the overall log-loss, not its own', () => {
    // Every answer "none fitted" and both models all but certain: 0.0001 → 0.001 is no harm.
    const certain = (logLoss: number) => m(100, logLoss, 0, { chosen: 0, mrr: null });
    const decision = decidePromotion(
      evaluation({ active: m(200, 0.3, 0.5), candidate: m(200, 0.25, 0.5) }, [
        ['profile:Noisy groups', certain(0.0001), certain(0.001)],
      ]),
      thresholds,
    );
    expect(decision).toMatchObject({ promoted: true, broken: [] });
  });

  it('refuses to judge on fewer held-out predictions than the minimum', () => {
    const decision = decidePromotion(
      evaluation({ active: m(12, 0.3, 0.5), candidate: m(12, 0.1, 0.9) }, []),
      thresholds,
    );
    expect(decision).toMatchObject({
      promoted: false,
      reason: 'too few held-out predictions to judge (12, at least 30 needed)',
    });
  });
});
