// The lifecycle of a prediction and what a client says of its ranking. These lists build the
// database's enums (packages/db) and the API's (packages/contract); the transitions between the
// statuses are packages/predictions' (prediction-lifecycle.ts).

/** Lifecycle of a prediction; the last three are terminal. */
export const PREDICTION_STATUSES = [
  'queued',
  'processing',
  'succeeded',
  'failed',
  'canceled',
] as const;
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number];

/** Accepted and not ended yet: what the recovery sweep watches. */
export const UNFINISHED_STATUSES = [
  'queued',
  'processing',
] as const satisfies readonly PredictionStatus[];
export type UnfinishedStatus = (typeof UNFINISHED_STATUSES)[number];

export const TERMINAL_STATUSES = [
  'succeeded',
  'failed',
  'canceled',
] as const satisfies readonly PredictionStatus[];

export function isTerminal(status: PredictionStatus): boolean {
  return (TERMINAL_STATUSES as readonly PredictionStatus[]).includes(status);
}

export function isUnfinished(status: PredictionStatus): status is UnfinishedStatus {
  return (UNFINISHED_STATUSES as readonly PredictionStatus[]).includes(status);
}

/** What feedback says: one of the stays shown was chosen, or none fitted. */
export const FEEDBACK_OUTCOMES = ['chosen', 'none'] as const;
export type FeedbackOutcome = (typeof FEEDBACK_OUTCOMES)[number];

/** Events a webhook may be called for: start (processing) and completed (a terminal state). */
export const WEBHOOK_EVENTS = ['start', 'completed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The events called back when the submission names none. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['completed'];

/**
 * How a prediction is submitted, apart from the request itself: where to call back and on which
 * events, and its deadline. Part of the submission's identity (an Idempotency-Key replay with
 * other options is refused), never part of the request (`input`).
 */
export interface SubmissionOptions {
  webhook?: string | undefined;
  webhookEventsFilter?: readonly WebhookEvent[] | undefined;
  /** Seconds after submission at which a still unfinished prediction ends canceled. */
  cancelAfterS?: number | undefined;
}
