// The promotion rule: may a candidate be tried in place of the active model? It reads the
// offline evaluation (both models on the same held-out logged choices) and decides:
//   1. no active model: promote (there is nothing to compare with);
//   2. refuse a candidate that breaks a segment: on a segment with enough data (or on the small
//      segments pooled), its log-loss is higher, or its MRR lower, than the active model's by
//      more than maxHarm (relative), even when it wins on average;
//   3. promote a candidate that is clearly better overall: log-loss or MRR better by at least
//      minGain (relative), and neither worse by more than minGain;
//   4. promote a candidate that fixes a failing segment (one where the active model's users
//      accept under failingAcceptance of its rankings, or where it misjudges the "none fitted"
//      rate by more than failingNoneError): its log-loss there is better by at least minGain, or
//      it would no longer show at least minReplaced (more than the active model) of the stays
//      those users rejected. Step 2 already holds every other segment to maxHarm;
//   5. otherwise refuse.
// A segment, the pool and the overall figures count only with at least minSegmentPredictions
// effective held-out predictions; MRR (which needs a chosen stay) only with that many chosen.
// Logged data labels only the stays the serving model showed, so this verdict says whether a
// candidate may be tried, not that it serves better: online evidence decides that. Where the
// active model's users rejected everything it showed, the logs cannot say which stays would
// have pleased them, only whether the candidate would show them something else.
import type { ChoiceMetrics } from '@predictq/model';

import type {
  Compared,
  OfflineEvaluation,
  PromotionDecision,
  PromotionThresholds,
  SegmentEvaluation,
} from './training-result.schema';

export const SMALL_SEGMENTS = '(small segments pooled)';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;
const fixed3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

interface Change {
  from: number;
  to: number;
  /** What the change is relative to: the active model's value, or a larger floor. */
  scale: number;
  /** Relative improvement of the candidate: > 0 better, < 0 worse. */
  gain: number;
  lowerIsBetter: boolean;
}

function change(
  active: number | null,
  candidate: number | null,
  lowerIsBetter: boolean,
  floor = 0,
): Change | undefined {
  const scale = Math.max(active ?? 0, floor);
  if (active === null || candidate === null || scale === 0) return undefined;
  const gain = (lowerIsBetter ? active - candidate : candidate - active) / scale;
  return { from: active, to: candidate, scale, gain, lowerIsBetter };
}

/**
 * The relative changes that count on this slice (none when it is too small). A segment's
 * log-loss changes are taken relative to the active model's overall log-loss when that is larger:
 * where both models are all but certain (every answer "none fitted", log-loss near 0), a tiny
 * difference would otherwise count as a huge relative one.
 */
function changes(
  slice: Compared,
  t: PromotionThresholds,
  logLossFloor: number,
): { logLoss?: Change; mrr?: Change } {
  const { candidate, active } = slice;
  if (!active || candidate.effective_predictions < t.minSegmentPredictions) return {};
  return {
    logLoss: change(active.log_loss, candidate.log_loss, true, logLossFloor),
    mrr:
      candidate.chosen >= t.minSegmentPredictions
        ? change(active.mrr, candidate.mrr, false)
        : undefined,
  };
}

function describe(name: string, c: Change): string {
  const shift = signed(c.lowerIsBetter ? -c.gain : c.gain);
  const of = c.scale === c.from ? '' : ` of the overall ${fixed3(c.scale)}`;
  return `${name} ${fixed3(c.from)} → ${fixed3(c.to)} (${shift}${of})`;
}

function describeAll(c: { logLoss?: Change; mrr?: Change }): string {
  const parts = [c.logLoss && describe('log-loss', c.logLoss), c.mrr && describe('MRR', c.mrr)];
  return parts.filter(Boolean).join(', ');
}

/** Some counted metric is worse by more than `limit` (relative). */
const worseBy = (c: { logLoss?: Change; mrr?: Change }, limit: number) =>
  [c.logLoss, c.mrr].some((x) => x !== undefined && -x.gain > limit);

const noneError = (m: ChoiceMetrics) =>
  m.none_rate === null || m.none_rate_predicted === null
    ? null
    : Math.abs(m.none_rate_predicted - m.none_rate);

/** Why the active model fails this segment, or null when it does not (or it is too small). */
function failure(segment: SegmentEvaluation, t: PromotionThresholds): string | null {
  const { active, candidate, activeOnline } = segment;
  if (!active || candidate.effective_predictions < t.minSegmentPredictions) return null;
  if (
    activeOnline.predictions >= t.minSegmentPredictions &&
    activeOnline.acceptance !== null &&
    activeOnline.acceptance < t.failingAcceptance
  ) {
    return `its users accept ${pct(activeOnline.acceptance)} of the active model's rankings`;
  }
  const error = noneError(active);
  if (error !== null && error > t.failingNoneError) {
    return `the active model expects ${pct(active.none_rate_predicted ?? 0)} "none fitted", users said ${pct(active.none_rate ?? 0)}`;
  }
  return null;
}

/** How the candidate fixes a failing segment, or null when it does not. */
function fix(
  segment: SegmentEvaluation,
  judged: { logLoss?: Change; mrr?: Change },
  t: PromotionThresholds,
): string | null {
  if (judged.logLoss && judged.logLoss.gain >= t.minGain) return describeAll(judged);
  const before = segment.active?.rejected_repeated ?? null;
  const after = segment.candidate.rejected_repeated;
  if (before !== null && after !== null && before - after >= t.minReplaced) {
    return `of the stays its users rejected, the active model would show ${pct(before)} again, the candidate ${pct(after)}`;
  }
  return null;
}

export function decidePromotion(
  evaluation: OfflineEvaluation,
  t: PromotionThresholds,
): PromotionDecision {
  const none = { betterOverall: false, failing: [], fixed: [], broken: [] };
  if (!evaluation.overall.active) {
    return { promoted: true, reason: 'there was no active model', ...none };
  }
  const judge = (slice: Compared) => changes(slice, t, evaluation.overall.active?.log_loss ?? 0);
  const overall = judge(evaluation.overall);
  if (!overall.logLoss) {
    return {
      promoted: false,
      reason: `too few held-out predictions to judge (${evaluation.overall.candidate.predictions}, at least ${t.minSegmentPredictions} needed)`,
      ...none,
    };
  }
  const betterOverall =
    [overall.logLoss, overall.mrr].some((c) => c !== undefined && c.gain >= t.minGain) &&
    !worseBy(overall, t.minGain);

  const slices: [string, Compared][] = [
    ...Object.entries(evaluation.segments),
    [SMALL_SEGMENTS, evaluation.smallSegments],
  ];
  const broken = slices.filter(([, slice]) => worseBy(judge(slice), t.maxHarm));
  const failing = Object.entries(evaluation.segments).flatMap(([name, segment]) => {
    const why = failure(segment, t);
    return why === null ? [] : [{ name, why, how: fix(segment, judge(segment), t) }];
  });
  const fixed = failing.filter((f) => f.how !== null);
  const verdict = {
    betterOverall,
    failing: failing.map((f) => f.name),
    fixed: fixed.map((f) => f.name),
    broken: broken.map(([name]) => name),
  };

  if (broken.length > 0) {
    const breaks = broken.map(([name, slice]) => `${name} (${describeAll(judge(slice))})`);
    const average = betterOverall ? `wins on average (${describeAll(overall)}) but ` : '';
    return {
      promoted: false,
      reason: `${average}breaks ${breaks.join('; ')}: worse than the active model by more than ${pct(t.maxHarm)}`,
      ...verdict,
    };
  }
  if (betterOverall) {
    const also = fixed.length > 0 ? ` (fixes ${verdict.fixed.join(', ')})` : '';
    return {
      promoted: true,
      reason: `clearly better overall: ${describeAll(overall)}, and breaks no segment${also}`,
      ...verdict,
    };
  }
  if (fixed.length > 0) {
    const lines = fixed.map((f) => `${f.name}, where ${f.why} (${f.how ?? ''})`);
    return {
      promoted: true,
      reason: `fixes the failing segment ${lines.join('; ')}, and no segment is worse by more than ${pct(t.maxHarm)}`,
      ...verdict,
    };
  }
  const unfixed = failing.length > 0 ? `, and does not fix ${verdict.failing.join(', ')}` : '';
  return {
    promoted: false,
    reason: `not clearly better overall (${describeAll(overall)}; at least ${pct(t.minGain)} needed)${unfixed}`,
    ...verdict,
  };
}
