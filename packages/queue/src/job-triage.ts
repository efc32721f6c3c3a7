// What the queue knows of jobs that PostgreSQL says are unfinished, for the recovery sweeps: which
// jobs the queue lost, which it holds in a state that will never run them, which failed (and
// why), and which are fine. Job states are read concurrently, so ioredis pipelines the calls.
import type { Queue } from 'bullmq';

export interface JobTriage {
  /** No job at all: enqueue it. */
  lost: string[];
  /** A job that will never run (completed, or a leftover in no list): remove it, then enqueue. */
  stale: string[];
  /** A job that failed for good: the work ends failed with this reason. */
  failed: { id: string; reason: string }[];
  /** Ids whose state could not be read (counted, retried on the next pass). */
  errors: number;
}

export async function triageJobs(queue: Queue, ids: readonly string[]): Promise<JobTriage> {
  const triage: JobTriage = { lost: [], stale: [], failed: [], errors: 0 };
  const states = await Promise.all(
    ids.map((id) => queue.getJobState(id).catch(() => 'error' as const)),
  );
  const inspect: { id: string; state: 'unknown' | 'failed' }[] = [];
  ids.forEach((id, i) => {
    const state = states[i];
    if (state === 'error') triage.errors += 1;
    else if (state === 'completed') triage.stale.push(id);
    else if (state === 'unknown' || state === 'failed') inspect.push({ id, state });
  });
  // The job's hash tells a lost job from a leftover one, and holds a failed job's reason.
  const jobs = await Promise.all(
    inspect.map(({ id }) => queue.getJob(id).catch(() => 'error' as const)),
  );
  inspect.forEach(({ id, state }, i) => {
    const job = jobs[i];
    if (job === 'error') triage.errors += 1;
    else if (state === 'failed') triage.failed.push({ id, reason: job?.failedReason || 'failed' });
    else if (job) triage.stale.push(id);
    else triage.lost.push(id);
  });
  return triage;
}

/** Removes jobs that will never run, so that their ids can be enqueued again; returns the removed. */
export async function removeStaleJobs(queue: Queue, ids: readonly string[]): Promise<string[]> {
  const removed = await Promise.all(
    ids.map((id) =>
      queue.remove(id).then(
        (n) => (n > 0 ? id : undefined),
        () => undefined,
      ),
    ),
  );
  return removed.filter((id): id is string => id !== undefined);
}
