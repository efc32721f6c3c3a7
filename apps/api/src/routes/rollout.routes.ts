// The rollout routes: start a shadow or canary rollout of a candidate, and read a model's
// rollouts with their decisions. The platform's decision loop (the worker) ends them.
import type { RolloutBody } from '@predictq/contract';
import { type Db, getModel, listRollouts, type RolloutWithDecisions } from '@predictq/db';
import { RolloutConflict, RolloutRefused, startRollout } from '@predictq/rollout';

import { HttpError, notFound } from '../http/errors';
import type { Handlers } from '../http/mount';

export function presentRollout(rollout: RolloutWithDecisions): RolloutBody {
  return {
    id: rollout.id,
    model_id: rollout.model_id,
    model_status: rollout.model_status,
    baseline_model_id: rollout.baseline_model_id,
    mode: rollout.mode,
    status: rollout.status,
    share: rollout.share,
    policy: rollout.policy as Record<string, unknown>,
    last_check: (rollout.last_check as RolloutBody['last_check']) ?? null,
    checked_at: rollout.checked_at?.toISOString() ?? null,
    created_at: rollout.created_at.toISOString(),
    ended_at: rollout.ended_at?.toISOString() ?? null,
    decisions: rollout.decisions.map((d) => ({
      decision: d.decision,
      reason: d.reason,
      figures: (d.figures as RolloutBody['last_check']) ?? null,
      created_at: d.created_at.toISOString(),
    })),
  };
}

export function rolloutHandlers(deps: { db: Db }): Handlers<'startRollout' | 'getRollout'> {
  const { db } = deps;
  return {
    startRollout: async ({ params: { id }, body }, res) => {
      try {
        const started = await startRollout(db, id, body);
        if (!started) throw notFound('model');
        const [rollout] = await listRollouts(db, id);
        res
          .status(201)
          .location(`/v1/models/${id}/rollout`)
          .json(presentRollout(rollout as RolloutWithDecisions));
      } catch (error) {
        if (error instanceof RolloutConflict) {
          throw new HttpError(409, 'rollout_running', error.message, [
            { field: 'id', message: `rollout ${error.rollout.id} is running` },
          ]);
        }
        if (error instanceof RolloutRefused) {
          throw new HttpError(422, error.code, error.message, [
            { field: 'id', message: error.message },
          ]);
        }
        throw error;
      }
    },

    getRollout: async ({ params: { id } }, res) => {
      const model = await getModel(db, id);
      if (!model) throw notFound('model');
      const rollouts = (await listRollouts(db, id)).map(presentRollout);
      res.json({ model_id: id, current: rollouts[0] ?? null, rollouts });
    },
  };
}
