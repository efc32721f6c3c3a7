// The parameters of a training run: what an operator may ask for (POST /v1/models/train), with
// the worker's configured defaults filling the rest.
import { trainingRequestBody } from '@predictq/contract';

export interface TrainingDefaults {
  seed: number;
  /** Most recent labelled rows used (shown stays with feedback). */
  maxRows: number;
  /** Fewer labelled rows than this: the run fails and nothing changes. */
  minRows: number;
  holdoutFraction: number;
  /** The candidate is promoted when its holdout AUC beats the active model's by more than this. */
  promoteMargin: number;
  epochs: number;
}

/** The effective parameters of a run: what was asked for, the defaults for the rest. */
export type TrainingParams = TrainingDefaults;

export function resolveParams(asked: unknown, defaults: TrainingDefaults): TrainingParams {
  const given = trainingRequestBody.parse(asked ?? {});
  return {
    seed: given.seed ?? defaults.seed,
    maxRows: given.max_rows ?? defaults.maxRows,
    minRows: defaults.minRows,
    holdoutFraction: given.holdout_fraction ?? defaults.holdoutFraction,
    promoteMargin: given.promote_margin ?? defaults.promoteMargin,
    epochs: given.epochs ?? defaults.epochs,
  };
}
