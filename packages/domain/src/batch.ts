// A batch of predictions: a CSV of traveller requests accepted at once, scored as ordinary
// predictions (each with the batch's id and its row number), read back as one CSV. These words
// build the database's enum (packages/db) and the API's (packages/contract).

/**
 * - `running`: accepted; some of its predictions are not finished yet (queued or processing).
 * - `completed`: every prediction of the batch ended (succeeded, failed or canceled); rejected
 *   rows never had one.
 * - `canceled`: the client canceled it; its queued predictions ended canceled at once, and those
 *   already processing finish as they would have.
 */
export const BATCH_STATUSES = ['running', 'completed', 'canceled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
