// The one owner of a prediction's state machine: every change of its status is one of these
// transitions, each with the states it may start from. The statements are packages/db's (each one
// prepared statement, one round trip, taking the source states as a parameter); the rule of which
// source states a transition accepts is here and nowhere else. The API (accept), the workers
// (claim, complete, fail, cancel at the deadline), the recovery sweep (recover, fail) and the
// cancel route call these functions.
import {
  cancelOverdueFrom,
  cancelPredictionFrom,
  claimPredictionsFrom,
  type Completion,
  completePredictionsFrom,
  createPrediction,
  type Db,
  failPredictionFrom,
  type NewPrediction,
  type PredictionRow,
} from '@predictq/db';
import { type PredictionStatus, UNFINISHED_STATUSES } from '@predictq/domain';

export interface Transition {
  /** The states it may start from; [] for accept, which creates the prediction. */
  from: readonly PredictionStatus[];
  /** The state it ends in; null for recover, which re-enqueues the job and leaves the status. */
  to: PredictionStatus | null;
}

export const PREDICTION_TRANSITIONS = {
  /** A new prediction is stored queued (its job is enqueued next). */
  accept: { from: [], to: 'queued' },
  /** A worker takes it; a job retried after a crash or a failed attempt claims it again. */
  claim: { from: UNFINISHED_STATUSES, to: 'processing' },
  /** Its ranking is stored: only the worker that claimed it completes it, and only once. */
  complete: { from: ['processing'], to: 'succeeded' },
  /** Its own fault (or its job failed for good): never a prediction that already ended. */
  fail: { from: UNFINISHED_STATUSES, to: 'failed' },
  /**
   * The client withdraws it before it ended, or its deadline passes. Completion starts only from
   * processing and both take the row's lock, so whichever commits first wins: a canceled
   * prediction is never completed, a completed one never canceled.
   */
  cancel: { from: UNFINISHED_STATUSES, to: 'canceled' },
  /** The sweep finds it unfinished with its job lost, and enqueues the job again. */
  recover: { from: UNFINISHED_STATUSES, to: null },
} as const satisfies Record<string, Transition>;

export type TransitionName = keyof typeof PREDICTION_TRANSITIONS;

/** Whether `transition` may start from `status`. */
export function canTransition(transition: TransitionName, status: PredictionStatus): boolean {
  return (PREDICTION_TRANSITIONS[transition].from as readonly PredictionStatus[]).includes(status);
}

/**
 * accept: stores a new prediction, queued. With an idempotency key its client already used,
 * stores nothing and returns the existing prediction (created = false).
 */
export function acceptPrediction(
  db: Db,
  prediction: NewPrediction,
): Promise<{ prediction: PredictionRow; created: boolean }> {
  return createPrediction(db, prediction);
}

/** claim: the predictions a worker may score now, marked processing; the others are left. */
export function claimPredictions(db: Db, ids: readonly string[]): Promise<PredictionRow[]> {
  return claimPredictionsFrom(db, ids, PREDICTION_TRANSITIONS.claim.from);
}

/**
 * complete: stores the rankings and marks the predictions succeeded, atomically, announcing
 * their end; returns the ids completed (a duplicate delivery completes nothing).
 */
export function completePredictions(db: Db, completions: readonly Completion[]): Promise<string[]> {
  return completePredictionsFrom(db, completions, PREDICTION_TRANSITIONS.complete.from);
}

/**
 * fail: ends the prediction failed with the reason (and the model whose scoring failed, if one
 * did); false when it had already ended.
 */
export function failPrediction(
  db: Db,
  id: string,
  reason: string,
  modelId?: string,
): Promise<boolean> {
  return failPredictionFrom(db, id, reason, PREDICTION_TRANSITIONS.fail.from, modelId);
}

/**
 * cancel (by the caller): ends it canceled when it had not ended. `clientId` null is the
 * operator (any client's). False when nothing was canceled.
 */
export function cancelPrediction(
  db: Db,
  id: string,
  clientId: string | null,
  reason = 'canceled by the client',
): Promise<boolean> {
  return cancelPredictionFrom(db, id, clientId, reason, PREDICTION_TRANSITIONS.cancel.from);
}

/** cancel (at the deadline): up to `limit` predictions past their cancel_at; their ids. */
export function cancelOverdue(db: Db, limit: number): Promise<string[]> {
  return cancelOverdueFrom(
    db,
    limit,
    'canceled: not done before its deadline (cancel_after)',
    PREDICTION_TRANSITIONS.cancel.from,
  );
}
