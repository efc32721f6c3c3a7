// Training runs and the rows they learn from.

export const TRAINING_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

/** A training run that has not ended (what recovery watches). */
export const UNFINISHED_TRAINING_STATUSES = [
  'queued',
  'running',
] as const satisfies readonly TrainingStatus[];

/** Which part of a run's dataset a labelled row went to. */
export const TRAINING_SPLITS = ['train', 'holdout'] as const;
export type TrainingSplit = (typeof TRAINING_SPLITS)[number];
