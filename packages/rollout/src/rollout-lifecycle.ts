// The one owner of a rollout's state and of the registry states it sets (shadow, canary): start,
// the platform's decisions (promote, roll back, complete), and what the operator's own moves do
// to a running rollout. Every change holds the rollout lock (ROLLOUT_LOCK_KEY), so exactly one
// process changes a rollout at a time.
//
// How a rollout lives with the operator's routes:
// - manual activation (POST /v1/models/{id}/activate, or a training run promoting) ends the
//   running rollout with the decision `superseded` (its latest figures kept); its candidate is a
//   candidate again unless it is the model activated;
// - PUT /v1/models/traffic is refused (409) while a rollout runs: the rollout owns the split;
// - starting a rollout ends the manual canaries (their weights go to 0).
//
// A shadow rollout with `next: canary` (the retraining policy's shadow_then_canary) is followed,
// in the transaction that completes it, by a canary of the same candidate under the same policy.
import type { RolloutPolicy } from '@predictq/contract';
import {
  activateModel,
  clearTrafficWeights,
  type Db,
  endRollout,
  getActiveModel,
  getModel,
  getRunningRollout,
  insertRollout,
  lockRollouts,
  type ModelSummary,
  type Queryable,
  recordRolloutDecision,
  type RolloutRow,
  setModelRolloutState,
  setTrafficSplit,
} from '@predictq/db';
import { ROLLOUT_DECISION_STATUS } from '@predictq/domain';

export class RolloutConflict extends Error {
  constructor(readonly rollout: RolloutRow) {
    super(
      `rollout ${rollout.id} (${rollout.mode} of model ${rollout.model_id}) is running: it owns the traffic split until it ends`,
    );
    this.name = 'RolloutConflict';
  }
}

export class RolloutRefused extends Error {
  constructor(
    readonly code: 'model_not_eligible' | 'no_active_model' | 'offline_rule_refused',
    message: string,
  ) {
    super(message);
    this.name = 'RolloutRefused';
  }
}

/** The offline promotion rule's stored verdict on a trained model (undefined: none stored). */
function offlineVerdict(model: ModelSummary): { promoted: boolean; reason: string } | undefined {
  const decision = (model.metrics as { evaluation?: { decision?: unknown } } | null)?.evaluation
    ?.decision as { promoted?: unknown; reason?: unknown } | undefined;
  if (typeof decision?.promoted !== 'boolean') return undefined;
  return {
    promoted: decision.promoted,
    reason: typeof decision.reason === 'string' ? decision.reason : '',
  };
}

/**
 * Starts a rollout of `modelId` under `policy`; undefined for an unknown model. Throws
 * RolloutConflict when one runs, RolloutRefused when the model may not be tried: it is active,
 * there is no active model to compare it with, or the offline rule refused it (unless force).
 * The operator's route and the platform (a retrained candidate, a shadow run's next step) both
 * start rollouts here.
 */
export async function startRollout(
  db: Db,
  modelId: string,
  policy: RolloutPolicy,
  origin?: string,
): Promise<RolloutRow | undefined> {
  return db.transaction(async (tx) => {
    await lockRollouts(tx, true);
    return startRolloutLocked(tx, modelId, policy, origin);
  });
}

/** startRollout inside a transaction that holds the rollout lock. */
async function startRolloutLocked(
  tx: Queryable,
  modelId: string,
  policy: RolloutPolicy,
  origin?: string,
): Promise<RolloutRow | undefined> {
  const model = await getModel(tx, modelId);
  if (!model) return undefined;
  const running = await getRunningRollout(tx);
  if (running) throw new RolloutConflict(running);
  if (model.status === 'active') {
    throw new RolloutRefused('model_not_eligible', 'the model is already the active model');
  }
  const active = await getActiveModel(tx);
  if (!active) {
    throw new RolloutRefused('no_active_model', 'there is no active model to compare it with');
  }
  const verdict = offlineVerdict(model);
  if (verdict && !verdict.promoted && !policy.force) {
    throw new RolloutRefused(
      'offline_rule_refused',
      `the offline promotion rule refused it (${verdict.reason}); start with force: true to try it anyway`,
    );
  }
  await clearTrafficWeights(tx);
  await setModelRolloutState(tx, model.id, policy.mode, policy.share);
  const rollout = await insertRollout(tx, {
    model_id: model.id,
    baseline_model_id: active.id,
    mode: policy.mode,
    share: policy.share,
    policy,
  });
  const then = policy.next ? `, then ${policy.next}` : '';
  await recordRolloutDecision(
    tx,
    rollout.id,
    'started',
    `${policy.mode} of v${model.version} against the active v${active.version}, share ${policy.share}${then}${origin ? ` (${origin})` : ''}`,
    { offline: verdict ?? null },
  );
  return rollout;
}

/**
 * Applies the platform's decision to a running rollout (inside the check's transaction, under
 * the lock): promote activates the candidate, roll back retires it, complete (a shadow run)
 * makes it a candidate again. false when the rollout had ended meanwhile.
 */
export async function applyDecision(
  tx: Queryable,
  rollout: RolloutRow,
  decision: 'promote' | 'rollback' | 'complete',
  reason: string,
  figures: unknown,
): Promise<boolean> {
  if (!(await endRollout(tx, rollout.id, ROLLOUT_DECISION_STATUS[decision]))) return false;
  await recordRolloutDecision(tx, rollout.id, decision, reason, figures);
  if (decision === 'promote') await activateModel(tx, rollout.model_id);
  else
    await setModelRolloutState(
      tx,
      rollout.model_id,
      decision === 'rollback' ? 'retired' : 'candidate',
      0,
    );
  const policy = rollout.policy as RolloutPolicy;
  if (decision === 'complete' && policy.next === 'canary') {
    await startRolloutLocked(
      tx,
      rollout.model_id,
      { ...policy, mode: 'canary', next: undefined },
      `after its shadow run ${rollout.id}`,
    );
  }
  return true;
}

/**
 * Makes `modelId` the active model by hand (the operator, or a training run the offline rule
 * promoted): a running rollout ends `superseded`, with `by` as its reason. Undefined for an
 * unknown model.
 */
export async function activateSuperseding(
  db: Db,
  modelId: string,
  by: string,
): Promise<ModelSummary | undefined> {
  return db.transaction(async (tx) => {
    await lockRollouts(tx, true);
    const model = await getModel(tx, modelId);
    if (!model) return undefined;
    const running = await getRunningRollout(tx);
    if (running && (await endRollout(tx, running.id, 'superseded'))) {
      await recordRolloutDecision(
        tx,
        running.id,
        'superseded',
        `${by} activated v${model.version}`,
        running.last_check,
      );
      if (running.model_id !== modelId) {
        await setModelRolloutState(tx, running.model_id, 'candidate', 0);
      }
    }
    return activateModel(tx, modelId);
  });
}

/** PUT /v1/models/traffic: the manual split, refused (RolloutConflict) while a rollout runs. */
export async function setManualTraffic(
  db: Db,
  weights: readonly { modelId: string; weight: number }[],
): Promise<ModelSummary[]> {
  return db.transaction(async (tx) => {
    await lockRollouts(tx, true);
    const running = await getRunningRollout(tx);
    if (running) throw new RolloutConflict(running);
    return setTrafficSplit(tx, weights);
  });
}
