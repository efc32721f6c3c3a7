// The parameters of a training run: what an operator may ask for (POST /v1/models/train), with
// the worker's configured defaults filling the rest.
import { trainingRequestBody } from '@predictq/contract';

import type { TrainingParams } from './training-result.schema';

/** The worker's configured parameters (TRAINING_*, PROMOTE_*). */
export type TrainingDefaults = TrainingParams;

/** The effective parameters of a run: what was asked for, the defaults for the rest. */
export function resolveParams(asked: unknown, defaults: TrainingDefaults): TrainingParams {
  // A run the retraining policy started carries its trigger and its candidate's rollout next to
  // its parameters (activate: false; the rollout is started after the run, rollout-lifecycle).
  const {
    trigger: _trigger,
    rollout: _rollout,
    ...params
  } = (asked ?? {}) as Record<string, unknown>;
  const given = trainingRequestBody.parse(params);
  return {
    seed: given.seed ?? defaults.seed,
    maxRows: given.max_rows ?? defaults.maxRows,
    minRows: defaults.minRows,
    holdoutFraction: given.holdout_fraction ?? defaults.holdoutFraction,
    epochs: given.epochs ?? defaults.epochs,
    recencyHalfLifeHours: defaults.recencyHalfLifeHours,
    activate: given.activate ?? defaults.activate ?? true,
    // The request's promote_margin was the AUC margin; it now sets the rule's "clearly better".
    promotion: {
      ...defaults.promotion,
      minGain: given.promote_margin ?? defaults.promotion.minGain,
    },
  };
}
