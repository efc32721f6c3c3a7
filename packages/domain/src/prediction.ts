/** Lifecycle of a prediction; the last three are terminal. */
export const PREDICTION_STATUSES = [
  'queued',
  'processing',
  'succeeded',
  'failed',
  'canceled',
] as const;
export type PredictionStatus = (typeof PREDICTION_STATUSES)[number];

export const TERMINAL_STATUSES: readonly PredictionStatus[] = ['succeeded', 'failed', 'canceled'];

export function isTerminal(status: PredictionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
