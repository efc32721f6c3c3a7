// A batch as GET /v1/batches/{id} shows it: counts by status (rejected rows included), progress,
// the measured rate and an ETA from it.
import { batchStatusCounts, type BatchRow, type Db } from '@predictq/db';
import { PREDICTION_STATUSES, type PredictionStatus } from '@predictq/domain';

export interface BatchProgress {
  batch: BatchRow;
  counts: Record<PredictionStatus | 'rejected', number>;
  /** Share of the rows that reached an end (rejected rows included), 0..1. */
  progress: number;
  /** Predictions ended per second since scoring began; null before any ended. */
  rowsPerSecond: number | null;
  /** Seconds until the last row ends at that rate; 0 when done, null when unknown. */
  etaSeconds: number | null;
}

export async function batchProgress(
  db: Db,
  batch: BatchRow,
  now = Date.now(),
): Promise<BatchProgress> {
  const rows = await batchStatusCounts(db, batch.id);
  const counts = Object.fromEntries(
    PREDICTION_STATUSES.map((s) => [s, 0]),
  ) as BatchProgress['counts'];
  counts.rejected = batch.rejected_count;
  let firstStarted: number | undefined;
  let lastCompleted: number | undefined;
  for (const row of rows) {
    counts[row.status] = row.count;
    if (row.first_started_at) {
      const t = row.first_started_at.getTime();
      firstStarted = firstStarted === undefined ? t : Math.min(firstStarted, t);
    }
    if (row.last_completed_at && row.status !== 'canceled') {
      const t = row.last_completed_at.getTime();
      lastCompleted = lastCompleted === undefined ? t : Math.max(lastCompleted, t);
    }
  }
  const ended = counts.succeeded + counts.failed + counts.canceled;
  const unfinished = counts.queued + counts.processing;
  const total = batch.row_count;
  const progress = total === 0 ? 1 : (ended + counts.rejected) / total;
  const scored = counts.succeeded + counts.failed;
  let rowsPerSecond: number | null = null;
  if (firstStarted !== undefined && scored > 0) {
    const until = unfinished === 0 && lastCompleted !== undefined ? lastCompleted : now;
    rowsPerSecond = scored / Math.max((until - firstStarted) / 1000, 0.001);
  }
  const etaSeconds =
    unfinished === 0 || batch.status !== 'running'
      ? 0
      : rowsPerSecond
        ? Math.ceil(unfinished / rowsPerSecond)
        : null;
  return { batch, counts, progress, rowsPerSecond, etaSeconds };
}
