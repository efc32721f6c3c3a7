// The decision loop: every interval, the worker that wins the rollout lock (a try: the others
// skip the round, however many workers run) reads the running rollout's figures, records them,
// and applies the decision the rule takes (rollout-policy.ts). All in one transaction, so that a
// decision and its figures are stored together or not at all.
import {
  armFigures,
  type Db,
  getRunningRollout,
  lockRollouts,
  recordRolloutCheck,
  type RolloutRow,
  shadowFigures,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';

import { applyDecision } from './rollout-lifecycle';
import {
  armReport,
  type CheckOutcome,
  decideCanary,
  decideShadow,
  type RolloutRulePolicy,
} from './rollout-policy';

export type CheckResult =
  /** Another process holds the lock: it decides this round. */
  | { kind: 'busy' }
  | { kind: 'idle' }
  | { kind: 'checked'; rollout: RolloutRow; outcome: CheckOutcome; applied: boolean };

/** One check of the running rollout, if this process wins the lock. */
export async function checkRollout(db: Db): Promise<CheckResult> {
  return db.transaction(async (tx): Promise<CheckResult> => {
    if (!(await lockRollouts(tx, false))) return { kind: 'busy' };
    const rollout = await getRunningRollout(tx);
    if (!rollout) return { kind: 'idle' };
    const policy = rollout.policy as RolloutRulePolicy;
    const since = rollout.created_at;
    const outcome =
      rollout.mode === 'canary'
        ? decideCanary(
            armReport(rollout.model_id, await armFigures(tx, rollout.model_id, since)),
            armReport(
              rollout.baseline_model_id,
              await armFigures(tx, rollout.baseline_model_id, since),
            ),
            policy,
          )
        : decideShadow(await shadowFigures(tx, rollout.model_id, since), policy);
    await recordRolloutCheck(tx, rollout.id, outcome.figures);
    const applied = outcome.decision
      ? await applyDecision(tx, rollout, outcome.decision, outcome.reason, outcome.figures)
      : false;
    return { kind: 'checked', rollout, outcome, applied };
  });
}

export class RolloutDecider {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: {
      db: Db;
      logger: Logger;
      /** Sees every check this process made (metrics). */
      onCheck?: (result: CheckResult) => void;
    },
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async tick(): Promise<CheckResult | undefined> {
    try {
      const result = await checkRollout(this.deps.db);
      this.deps.onCheck?.(result);
      if (result.kind === 'checked' && result.applied) {
        this.deps.logger.info('rollout decided', {
          rolloutId: result.rollout.id,
          modelId: result.rollout.model_id,
          decision: result.outcome.decision,
          reason: result.outcome.reason,
        });
      }
      return result;
    } catch (error) {
      this.deps.logger.warn('rollout check failed', { error: errorMessage(error) });
      return undefined;
    }
  }
}
