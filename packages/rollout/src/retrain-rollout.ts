// A retrained candidate goes through a rollout, started by the platform. The retraining policy
// stores, in each run it triggers, the rollout its candidate gets (RETRAIN_ROLLOUT and
// RETRAIN_ROLLOUT_POLICY); the run trains with activate: false, and once it has succeeded the
// worker calls rolloutRetrainedCandidate, which starts that rollout through startRollout, the
// code the operator's POST /v1/models/{id}/rollout uses. The offline rule decides whether the
// candidate may be tried; the rollout's online evidence whether it is promoted.
import { type RolloutPolicy, rolloutRequestBody } from '@predictq/contract';
import { type Db, getTrainingRun } from '@predictq/db';
import type { Logger } from '@predictq/logging';
import { z } from 'zod';

import { RolloutConflict, RolloutRefused, startRollout } from './rollout-lifecycle';

/** The rollout a policy-triggered candidate gets; none: it waits for the operator. */
export const RETRAIN_ROLLOUTS = ['canary', 'shadow_then_canary', 'shadow', 'none'] as const;
export type RetrainRollout = (typeof RETRAIN_ROLLOUTS)[number];

/** RETRAIN_ROLLOUT_POLICY: the rollout body but its mode, force and next (set by RETRAIN_ROLLOUT). */
const retrainRolloutSettings = z
  .record(z.string(), z.unknown())
  .refine((settings) => !['mode', 'force', 'next'].some((key) => key in settings), {
    message: 'mode and next come from RETRAIN_ROLLOUT; force is never used by the platform',
  });

/**
 * The rollout policy of a policy-triggered run's candidate: `settings` (POST
 * /v1/models/{id}/rollout's body without mode) with the API's defaults for the rest. null for
 * `none`. Throws a ZodError naming the setting that is wrong.
 */
export function retrainRolloutPolicy(
  kind: RetrainRollout,
  settings: unknown,
): RolloutPolicy | null {
  const given = retrainRolloutSettings.parse(settings);
  const policy = rolloutRequestBody.parse({
    ...given,
    mode: kind === 'canary' ? 'canary' : 'shadow',
    ...(kind === 'shadow_then_canary' ? { next: 'canary' } : {}),
  });
  return kind === 'none' ? null : policy;
}

export type RetrainRolloutOutcome =
  /** Not a policy-triggered run, or RETRAIN_ROLLOUT=none: the candidate waits for the operator. */
  | { kind: 'none' }
  /** The offline rule refused the candidate, or it may not be tried (already active...). */
  | { kind: 'refused'; reason: string }
  /** Another rollout runs: it keeps the traffic; the candidate waits. */
  | { kind: 'busy'; rolloutId: string }
  | { kind: 'started'; rolloutId: string; mode: RolloutPolicy['mode'] };

interface TriggeredParams {
  trigger?: { kind?: string; reason?: string };
  rollout?: unknown;
}

/** Starts the rollout the run `trainingRunId` asked for, for its registered candidate. */
export async function rolloutRetrainedCandidate(
  deps: { db: Db; logger: Logger },
  trainingRunId: string,
  candidate: { modelId: string; version: number; promoted: boolean; reason: string },
): Promise<RetrainRolloutOutcome> {
  const { db, logger } = deps;
  const run = await getTrainingRun(db, trainingRunId);
  const params = (run?.params ?? {}) as TriggeredParams;
  if (params.rollout === undefined || params.rollout === null) return { kind: 'none' };
  const context = { trainingRunId, modelId: candidate.modelId, version: candidate.version };
  if (!candidate.promoted) {
    logger.info('retrained candidate not tried: the offline promotion rule refused it', {
      ...context,
      reason: candidate.reason,
    });
    return { kind: 'refused', reason: candidate.reason };
  }
  const policy = rolloutRequestBody.parse(params.rollout);
  const origin = `started by the platform for training run ${trainingRunId}${
    params.trigger?.kind ? `, a ${params.trigger.kind} trigger` : ''
  }`;
  try {
    const rollout = await startRollout(db, candidate.modelId, policy, origin);
    if (!rollout) return { kind: 'refused', reason: 'the candidate is not registered' };
    logger.info('the platform started a rollout of the retrained candidate', {
      ...context,
      rolloutId: rollout.id,
      mode: policy.mode,
      next: policy.next,
      share: policy.share,
    });
    return { kind: 'started', rolloutId: rollout.id, mode: policy.mode };
  } catch (error) {
    if (error instanceof RolloutConflict) {
      logger.warn('retrained candidate not tried: another rollout is running', {
        ...context,
        rolloutId: error.rollout.id,
      });
      return { kind: 'busy', rolloutId: error.rollout.id };
    }
    if (error instanceof RolloutRefused) {
      logger.info('retrained candidate not tried', { ...context, reason: error.message });
      return { kind: 'refused', reason: error.message };
    }
    throw error;
  }
}
