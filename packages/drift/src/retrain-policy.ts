// The retraining policy's decision, pure: given what the platform looks like now, start a
// training run or not, and why. Storms are ruled out first: never while a run is queued or
// running or a rollout runs, never within the cooldown of the previous trigger; a drift trigger also needs new
// feedback, since a model retrained on the same rows would be the same model.
import type { TrainingActivity } from '@predictq/db';

import type { DriftReport } from './measure-drift';

export interface RetrainPolicyOptions {
  /** New feedback since the newest training run that starts one on its own; 0: never. */
  minNewFeedback: number;
  /** New feedback a drift trigger needs too. */
  driftMinNewFeedback: number;
  /** No trigger within this long of the previous one. */
  cooldownMs: number;
}

export interface RetrainPolicyState {
  now: Date;
  activity: TrainingActivity;
  /** Feedback recorded since activity.latestAt (all of it when no run exists). */
  newFeedback: number;
  drift: Pick<DriftReport, 'status' | 'drifted' | 'features' | 'model'> | null;
  /** The rollout running now, if any: its candidate's online evidence comes first. */
  rollout?: { id: string; mode: string } | null;
}

/** Why a run was started; stored in the run's params (training_runs.params.trigger). */
export interface RetrainTrigger {
  kind: 'drift' | 'feedback';
  reason: string;
  at: string;
  newFeedback: number;
  /** The active model when it triggered. */
  model: { id: string; version: number } | null;
  /** The drifted features with their PSI, largest first (drift triggers). */
  drifted?: { feature: string; psi: number }[];
}

export type RetrainDecision =
  { retrain: true; trigger: RetrainTrigger } | { retrain: false; reason: string };

export function decideRetrain(
  state: RetrainPolicyState,
  options: RetrainPolicyOptions,
): RetrainDecision {
  const { activity, newFeedback, drift, now } = state;
  if (activity.unfinished > 0) {
    return { retrain: false, reason: `a training run is already queued or running` };
  }
  if (state.rollout) {
    // A candidate trained now could not be tried until that rollout ends (one at a time).
    return {
      retrain: false,
      reason: `a ${state.rollout.mode} rollout is running (${state.rollout.id}): its evidence comes first`,
    };
  }
  if (activity.lastTriggeredAt) {
    const since = now.getTime() - activity.lastTriggeredAt.getTime();
    if (since < options.cooldownMs) {
      return {
        retrain: false,
        reason: `cooling down: the previous trigger was ${Math.round(since / 1000)} s ago (cooldown ${Math.round(options.cooldownMs / 1000)} s)`,
      };
    }
  }
  const base = { at: now.toISOString(), newFeedback, model: drift?.model ?? null };
  if (drift?.status === 'drift') {
    const drifted = drift.drifted.map((feature) => ({
      feature,
      psi: drift.features.find((f) => f.feature === feature)?.psi ?? 0,
    }));
    const named = drifted.map((d) => `${d.feature} (PSI ${d.psi.toFixed(3)})`).join(', ');
    if (newFeedback >= options.driftMinNewFeedback) {
      return {
        retrain: true,
        trigger: {
          ...base,
          kind: 'drift',
          reason: `input drift on ${named}, with ${newFeedback} new feedback to learn from`,
          drifted,
        },
      };
    }
    if (options.minNewFeedback === 0 || newFeedback < options.minNewFeedback) {
      return {
        retrain: false,
        reason: `input drift on ${named}, but only ${newFeedback} new feedback (${options.driftMinNewFeedback} needed)`,
      };
    }
  }
  if (options.minNewFeedback > 0 && newFeedback >= options.minNewFeedback) {
    return {
      retrain: true,
      trigger: {
        ...base,
        kind: 'feedback',
        reason: `${newFeedback} new feedback since the last training (threshold ${options.minNewFeedback})`,
      },
    };
  }
  return {
    retrain: false,
    reason: `no drift (${drift?.status ?? 'not measured'}) and ${newFeedback} new feedback`,
  };
}
