// A rollout: the online trial of a candidate model, decided by the platform (packages/rollout).
// Its modes, its statuses and the decisions it records are declared here once; the tables'
// enums, the API's schemas and the metrics' labels are built from these lists.

/** shadow: the candidate also scores a sample, never served; canary: it serves a share. */
export const ROLLOUT_MODES = ['shadow', 'canary'] as const;
export type RolloutMode = (typeof ROLLOUT_MODES)[number];

export const ROLLOUT_STATUSES = [
  'running',
  /** The canary won: the candidate is the active model. */
  'promoted',
  /** The canary lost, or a guard tripped: the candidate is retired. */
  'rolled_back',
  /** A shadow run gathered its sample: the candidate is a candidate again, with the report. */
  'completed',
  /** A manual activation ended it. */
  'superseded',
] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/** Every decision a rollout records, with its figures; each but `started` ends the rollout. */
export const ROLLOUT_DECISIONS = [
  'started',
  'promote',
  'rollback',
  'complete',
  'superseded',
] as const;
export type RolloutDecision = (typeof ROLLOUT_DECISIONS)[number];

/** The status a decision leaves the rollout in. */
export const ROLLOUT_DECISION_STATUS = {
  started: 'running',
  promote: 'promoted',
  rollback: 'rolled_back',
  complete: 'completed',
  superseded: 'superseded',
} as const satisfies Record<RolloutDecision, RolloutStatus>;
