// What a rollout check decides from its figures: pure, so that the rule is tested without a
// database. Canary: the guards first (error rate, latency, acceptance collapse), then the
// sequential test on online acceptance (promote, roll back, or roll back as inconclusive at
// max_feedback). Shadow: complete once the sample is gathered (it serves nobody, so it has
// nothing to promote on; its report says how far the rankings differ).
import type { ArmFigures, ShadowFigures } from '@predictq/db';
import type { RolloutMode } from '@predictq/domain';

import { type SequentialResult, sequentialTest } from './sequential-test';
import { wilsonInterval } from './wilson';

/** The policy's figures the rule reads (the API's RolloutPolicy, snake_case as stored). */
export interface RolloutRulePolicy {
  alpha: number;
  mixture_sd: number;
  min_feedback: number;
  max_feedback: number;
  shadow_sample: number;
  guards: {
    max_error_rate: number;
    max_latency_ratio: number;
    min_predictions: number;
    collapse_ratio: number;
    collapse_min_feedback: number;
  };
}

export interface ArmReport extends ArmFigures {
  model_id: string;
  acceptance: number | null;
  acceptance_interval: [number, number] | null;
}

export interface CanaryFigures {
  candidate: ArmReport;
  active: ArmReport;
  test: {
    verdict: SequentialResult['verdict'];
    difference: number | null;
    log_likelihood_ratio: number;
    threshold: number;
    interval: [number, number] | null;
  };
  guard: string | null;
}

export interface ShadowReport {
  shadow: {
    compared: number;
    overlap_at_k: number | null;
    top1_agreement: number | null;
    predicted_acceptance: { candidate: number | null; active: number | null };
    feedback: {
      chosen: number;
      kept_chosen: number | null;
      none: number;
      replaced_rejected: number | null;
    };
  };
}

export type CheckFigures = CanaryFigures | ShadowReport;

export interface CheckOutcome {
  /** null: keep running. */
  decision: 'promote' | 'rollback' | 'complete' | null;
  reason: string;
  figures: CheckFigures;
}

export function armReport(modelId: string, figures: ArmFigures): ArmReport {
  return {
    model_id: modelId,
    ...figures,
    acceptance: figures.feedback === 0 ? null : figures.chosen / figures.feedback,
    acceptance_interval: wilsonInterval(figures.chosen, figures.feedback, 0.95),
  };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** The guard that trips, if one does: why, in words. */
export function trippedGuard(
  candidate: ArmReport,
  active: ArmReport,
  guards: RolloutRulePolicy['guards'],
): string | null {
  const scored = candidate.predictions + candidate.failed;
  if (scored >= guards.min_predictions) {
    const errorRate = candidate.failed / scored;
    if (errorRate > guards.max_error_rate) {
      return `error guard: ${pct(errorRate)} of the candidate's predictions failed (limit ${pct(guards.max_error_rate)})`;
    }
    if (
      candidate.p95_latency_ms !== null &&
      active.p95_latency_ms !== null &&
      active.predictions >= guards.min_predictions &&
      candidate.p95_latency_ms > active.p95_latency_ms * guards.max_latency_ratio
    ) {
      return `latency guard: p95 ${candidate.p95_latency_ms.toFixed(0)} ms against the active model's ${active.p95_latency_ms.toFixed(0)} ms (limit ×${guards.max_latency_ratio})`;
    }
  }
  if (candidate.feedback >= guards.collapse_min_feedback && active.acceptance !== null) {
    const upper = wilsonInterval(candidate.chosen, candidate.feedback, 0.99)?.[1] ?? 1;
    if (upper < active.acceptance * guards.collapse_ratio) {
      return `collapse guard: the candidate's acceptance is at most ${pct(upper)} (99%) against the active model's ${pct(active.acceptance)} (limit ×${guards.collapse_ratio})`;
    }
  }
  return null;
}

export function decideCanary(
  candidate: ArmReport,
  active: ArmReport,
  policy: RolloutRulePolicy,
): CheckOutcome {
  const result = sequentialTest(candidate, active, {
    alpha: policy.alpha,
    mixtureSd: policy.mixture_sd,
    minFeedback: policy.min_feedback,
    maxFeedback: policy.max_feedback,
  });
  const guard = trippedGuard(candidate, active, policy.guards);
  const figures: CanaryFigures = {
    candidate,
    active,
    test: {
      verdict: result.verdict,
      difference: result.difference,
      log_likelihood_ratio: result.logLikelihoodRatio,
      threshold: result.threshold,
      interval: result.interval,
    },
    guard,
  };
  const versus = `acceptance ${pct(candidate.acceptance)} (n=${candidate.feedback}) against ${pct(active.acceptance)} (n=${active.feedback})`;
  if (guard) return { decision: 'rollback', reason: guard, figures };
  switch (result.verdict) {
    case 'candidate_better':
      return {
        decision: 'promote',
        reason: `the candidate is better online: ${versus}; mSPRT log LR ${result.logLikelihoodRatio.toFixed(2)} ≥ ${result.threshold.toFixed(2)} (alpha ${policy.alpha})`,
        figures,
      };
    case 'candidate_worse':
      return {
        decision: 'rollback',
        reason: `the candidate is worse online: ${versus}; mSPRT log LR ${result.logLikelihoodRatio.toFixed(2)} ≥ ${result.threshold.toFixed(2)} (alpha ${policy.alpha})`,
        figures,
      };
    case 'inconclusive':
      return {
        decision: 'rollback',
        reason: `inconclusive after ${candidate.feedback} feedback on the candidate (max_feedback ${policy.max_feedback}): ${versus}; the active model stays`,
        figures,
      };
    default:
      return { decision: null, reason: `gathering evidence: ${versus}`, figures };
  }
}

export function shadowReport(figures: ShadowFigures): ShadowReport {
  return {
    shadow: {
      compared: figures.compared,
      overlap_at_k: figures.overlap_at_k,
      top1_agreement: figures.top1_agreement,
      predicted_acceptance: {
        candidate: figures.predicted_candidate,
        active: figures.predicted_active,
      },
      feedback: {
        chosen: figures.chosen,
        kept_chosen: figures.kept_chosen,
        none: figures.none,
        replaced_rejected: figures.replaced_rejected,
      },
    },
  };
}

export function decideShadow(figures: ShadowFigures, policy: RolloutRulePolicy): CheckOutcome {
  const report = shadowReport(figures);
  const summary = `${figures.compared} predictions compared, overlap@K ${pct(figures.overlap_at_k)}, predicted acceptance ${pct(figures.predicted_candidate)} (candidate) against ${pct(figures.predicted_active)} (served)`;
  if (figures.compared >= policy.shadow_sample) {
    return { decision: 'complete', reason: `shadow sample gathered: ${summary}`, figures: report };
  }
  return { decision: null, reason: `shadowing: ${summary}`, figures: report };
}

export type { RolloutMode };
