// The retraining policy at work (RETRAIN_POLICY_ENABLED): every interval, the one worker that
// holds the policy's advisory lock gathers the state (training runs, new feedback, drift),
// decides (retrain-policy.ts), and on a trigger stores a queued training run whose params carry
// the trigger, activate: false and the rollout its candidate gets (rollout-lifecycle starts it
// once the run succeeded, when the offline rule lets the candidate be tried), then enqueues it. The check and the insert happen under the lock, so however
// many workers run, a trigger is never doubled; a run the queue did not take is enqueued by the
// recovery sweep.
import { randomUUID } from 'node:crypto';

import {
  countFeedbackSince,
  createTrainingRun,
  type Db,
  getRunningRollout,
  trainingActivity,
} from '@predictq/db';
import { errorMessage, type Logger } from '@predictq/logging';
import { sql } from 'drizzle-orm';

import type { DriftReport } from './measure-drift';
import { decideRetrain, type RetrainDecision, type RetrainPolicyOptions } from './retrain-policy';

/** pg advisory lock of the policy's decision ("pqrt"). */
export const RETRAIN_POLICY_LOCK = 0x70_71_72_74;

export interface RetrainPolicyDeps {
  db: Db;
  /** The current drift report (cached by the caller, or computed). */
  drift: () => Promise<DriftReport>;
  /** Puts a stored run on the training queue. */
  enqueue: (trainingRunId: string) => Promise<void>;
  logger: Logger;
  /** Told of each trigger once its run is stored (metrics). */
  onTrigger?: (kind: 'drift' | 'feedback') => void;
}

export interface RetrainPolicyRunnerOptions extends RetrainPolicyOptions {
  /**
   * The rollout the candidate of a triggered run gets (POST /v1/models/{id}/rollout's body,
   * RETRAIN_ROLLOUT); null or absent: none, the candidate waits for the operator. Either way the
   * run never activates its candidate itself.
   */
  rollout?: Record<string, unknown> | null;
}

export interface RetrainPolicyOutcome {
  decision: RetrainDecision;
  trainingRunId?: string;
}

export class RetrainPolicyRunner {
  constructor(
    private readonly deps: RetrainPolicyDeps,
    private readonly options: RetrainPolicyRunnerOptions,
  ) {}

  /** One look; undefined when another process holds the lock (it decides). */
  async tick(now: Date = new Date()): Promise<RetrainPolicyOutcome | undefined> {
    const { db, logger } = this.deps;
    const outcome = await db.transaction(async (tx) => {
      const lock = await tx.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_xact_lock(${RETRAIN_POLICY_LOCK}) as locked`,
      );
      if (lock.rows[0]?.locked !== true) return undefined;
      const activity = await trainingActivity(tx);
      const cap = Math.max(this.options.minNewFeedback, this.options.driftMinNewFeedback, 1);
      const newFeedback = await countFeedbackSince(tx, activity.latestAt ?? new Date(0), cap);
      const drift = await this.deps.drift().catch((error: unknown) => {
        logger.warn('retraining policy: drift not measured', { error: errorMessage(error) });
        return null;
      });
      const running = await getRunningRollout(tx);
      const decision = decideRetrain(
        {
          now,
          activity,
          newFeedback,
          drift,
          rollout: running ? { id: running.id, mode: running.mode } : null,
        },
        this.options,
      );
      if (!decision.retrain) return { decision };
      const rollout = this.options.rollout;
      const run = await createTrainingRun(tx, randomUUID(), {
        trigger: decision.trigger,
        activate: false,
        ...(rollout ? { rollout } : {}),
      });
      return { decision, trainingRunId: run.id };
    });
    if (!outcome) return undefined;
    const { decision, trainingRunId } = outcome;
    if (!decision.retrain) {
      logger.debug('retraining policy: no trigger', { reason: decision.reason });
      return outcome;
    }
    if (!trainingRunId) return outcome;
    logger.info('retraining policy triggered a training run', {
      trainingRunId,
      trigger: decision.trigger.kind,
      reason: decision.trigger.reason,
      newFeedback: decision.trigger.newFeedback,
      drifted: decision.trigger.drifted,
      rollout: this.options.rollout?.mode ?? 'none',
    });
    this.deps.onTrigger?.(decision.trigger.kind);
    await this.deps.enqueue(trainingRunId).catch((error: unknown) =>
      logger.warn('triggered training run not enqueued; the sweep will', {
        trainingRunId,
        error: errorMessage(error),
      }),
    );
    return outcome;
  }
}
