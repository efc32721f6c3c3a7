// The worker's part in rollouts: the decision loop (packages/rollout) on its interval, and the
// rollout metrics. Every worker shows the running rollout's latest figures (read from its row),
// whichever worker took the decision lock this round; decisions are counted where taken.
import { type Db, getRunningRollout, type RolloutRow } from '@predictq/db';
import { ROLLOUT_MODES } from '@predictq/domain';
import type { Logger } from '@predictq/logging';
import type { WorkerMetrics } from '@predictq/metrics';
import { type CanaryFigures, type CheckResult, RolloutDecider } from '@predictq/rollout';

function show(metrics: WorkerMetrics, rollout: RolloutRow | undefined): void {
  for (const mode of ROLLOUT_MODES) {
    metrics.rolloutRunning.set({ mode }, rollout?.mode === mode ? 1 : 0);
  }
  const figures = rollout?.last_check as
    | (Partial<CanaryFigures> & {
        shadow?: { overlap_at_k: number | null };
      })
    | null;
  metrics.rolloutAcceptance.set({ arm: 'candidate' }, figures?.candidate?.acceptance ?? 0);
  metrics.rolloutAcceptance.set({ arm: 'active' }, figures?.active?.acceptance ?? 0);
  const test = figures?.test;
  metrics.rolloutEvidence.set(test ? Math.max(0, test.log_likelihood_ratio / test.threshold) : 0);
  metrics.rolloutShadowOverlap.set(figures?.shadow?.overlap_at_k ?? 0);
}

export function rolloutDecider(deps: {
  db: Db;
  metrics: WorkerMetrics;
  logger: Logger;
  intervalMs: number;
}): RolloutDecider {
  const { db, metrics } = deps;
  show(metrics, undefined);
  const onCheck = (result: CheckResult) => {
    if (result.kind === 'checked' && result.applied && result.outcome.decision) {
      metrics.rolloutDecisions.inc({ decision: result.outcome.decision });
    }
    // The row as it now stands (ended, or with this round's figures), for every worker alike.
    void getRunningRollout(db)
      .then((running) => show(metrics, running))
      .catch(() => undefined);
  };
  return new RolloutDecider({ db, logger: deps.logger, onCheck }, deps.intervalMs);
}
