// The recovery sweep: PostgreSQL knows every accepted prediction, so any that is still unfinished
// and whose job the queue no longer holds is enqueued again; one whose job failed for good (its
// own fault, or a poison job that crashed worker after worker) is ended failed with the reason.
// Outages never fail a job (the worker defers it), so the sweep never turns one into `failed`.
//
// One process sweeps at a time (an advisory lock), page by page in (created_at, id) order, reading
// the jobs' states pipelined and re-enqueueing in bulk, so that recovery keeps up with the workers.
// After Redis lost its data the states need not be read: every unfinished prediction is enqueued
// (an id that already has a job is left alone).
import { type Db, findUnfinished, tryWithAdvisoryLock, type UnfinishedCursor } from '@predictq/db';
import { errorMessage } from '@predictq/logging';
import { enqueuePredictions, removeStaleJobs, triageJobs } from '@predictq/queue';

import { failPrediction } from './prediction-lifecycle';
import type { PredictionDeps } from './submit-prediction';

/** Any constant shared by the platform's processes: one sweep of predictions at a time. */
const PREDICTION_SWEEP_LOCK = 0x70_71_73_77; // "pqsw"

export interface SweepOptions {
  /** Only predictions unfinished for longer than this (0: all of them). */
  olderThanMs: number;
  /** Predictions read and checked per page. */
  pageSize: number;
  /** Redis lost its data: enqueue every unfinished prediction without reading job states. */
  queueWasReset?: boolean;
}

export interface SweepResult {
  checked: number;
  reenqueued: number;
  failed: number;
  /** Predictions that could not be checked or acted on this pass (tried again on the next). */
  errors: number;
}

/** Runs one sweep pass; undefined when another process is sweeping right now. */
export async function recoverUnfinished(
  deps: PredictionDeps & { db: Db },
  options: SweepOptions,
): Promise<SweepResult | undefined> {
  return tryWithAdvisoryLock(deps.db.$client, PREDICTION_SWEEP_LOCK, () => sweep(deps, options));
}

async function sweep(deps: PredictionDeps, options: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { checked: 0, reenqueued: 0, failed: 0, errors: 0 };
  const createdBefore = new Date(Date.now() - options.olderThanMs);
  let after: UnfinishedCursor | undefined;
  do {
    // Unfinished: the states recover starts from (UNFINISHED_STATUSES, which findUnfinished's
    // literal list, matching the partial index, is built from).
    const page = await findUnfinished(deps.db, { createdBefore, after, limit: options.pageSize });
    after = page.next;
    const ids = page.predictions.map((p) => p.id);
    result.checked += ids.length;
    try {
      await recoverPage(deps, ids, options.queueWasReset === true, result);
    } catch (error) {
      // One bad page (Redis went away meanwhile) never ends the pass: the next pass retries it.
      result.errors += ids.length;
      deps.logger.warn('recovery sweep could not recover a page', { error: errorMessage(error) });
    }
  } while (after);
  return result;
}

async function recoverPage(
  deps: PredictionDeps,
  ids: string[],
  queueWasReset: boolean,
  result: SweepResult,
): Promise<void> {
  if (ids.length === 0) return;
  let enqueue = ids;
  if (!queueWasReset) {
    const triage = await triageJobs(deps.queue, ids);
    result.errors += triage.errors;
    const removed = await removeStaleJobs(deps.queue, triage.stale);
    result.errors += triage.stale.length - removed.length;
    enqueue = [...triage.lost, ...removed];
    for (const { id, reason } of triage.failed) {
      try {
        if (await failPrediction(deps.db, id, failureReason(reason))) result.failed += 1;
      } catch (error) {
        result.errors += 1;
        deps.logger.warn('recovery sweep could not end a prediction failed', {
          predictionId: id,
          error: errorMessage(error),
        });
      }
    }
  }
  await enqueuePredictions(deps.queue, enqueue, deps.retry);
  result.reenqueued += enqueue.length;
  if (enqueue.length > 0 && !queueWasReset) {
    deps.logger.warn('re-enqueued predictions the queue had lost', {
      count: enqueue.length,
      sample: enqueue.slice(0, 5),
    });
  }
}

/** A failed job's reason as the prediction shows it; BullMQ's stall wording explained. */
export function failureReason(jobReason: string): string {
  return /stalled more than allowable limit/.test(jobReason)
    ? `its job stalled too often: every worker that held it stopped (${jobReason})`
    : jobReason;
}
