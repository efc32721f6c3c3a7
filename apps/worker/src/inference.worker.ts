// The BullMQ worker of the inference queue. Each job hands its prediction id to the micro-batcher
// and waits for its own outcome. What happens on a failure depends on whose fault it is:
// - a dependency outage (PostgreSQL down or hung, Redis unreachable), or a micro-batch stuck ahead
//   of the job, is not an attempt: the job is put back (delayed, attemptsMade unchanged), and
//   while PostgreSQL is down the gate stops the worker from taking more;
// - a fault of the prediction or of the model (including its own batch hanging past the
//   deadline) counts towards INFERENCE_ATTEMPTS; the last one marks the prediction failed with
//   the reason and is rethrown, so that BullMQ records it too.
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { type Db, isDatabaseUnavailable } from '@predictq/db';
import {
  DeadlineExceeded,
  type JobOutcome,
  type MicroBatcher,
  ModelScoringError,
  PermanentError,
} from '@predictq/inference';
import { errorMessage, type Logger, withLogContext } from '@predictq/logging';
import { failPrediction } from '@predictq/predictions';
import type { WorkerMetrics } from '@predictq/metrics';
import {
  isBatchJob,
  isRedisUnavailable,
  QUEUES,
  scorePredictionPayload,
  type ScorePredictionPayload,
  queuePrefix,
  type RedisConnection,
} from '@predictq/queue';

import type { DependencyGate } from './dependency-gate';
import type { WorkerPauses } from './worker-pauses';

export interface InferenceWorkerOptions {
  connection: RedisConnection;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Stalls (a worker crashed or lost the job's lock) before the job fails: a backstop. */
  maxStalledCount: number;
  /** Crashes while scored alone before a prediction ends failed as poison. */
  poisonMaxCrashes: number;
  /** How long a job put back for an outage waits before it is taken again. */
  outageDelayMs: number;
}

/** The dependency whose outage caused `error`, if it was one. */
export function outageOf(error: unknown): 'database' | 'redis' | undefined {
  if (isDatabaseUnavailable(error)) return 'database';
  if (isRedisUnavailable(error)) return 'redis';
  return undefined;
}

/**
 * What a missed deadline means. When the database does not answer now either, an outage (the
 * statement and client timeouts should have said so, but a probe tells). Otherwise the worker is
 * stuck: a job that waited behind the stuck batch is not at fault ('stuck': put back, no attempt),
 * while a job whose own batch hung may be what hangs it (an attempt, so it ends failed).
 */
async function deadlineCause(
  db: Db,
  error: DeadlineExceeded,
): Promise<'database' | 'stuck' | undefined> {
  try {
    await db.execute(sql`select 1`);
  } catch {
    return 'database';
  }
  return error.started ? undefined : 'stuck';
}

/**
 * Puts a job back (delayed) without counting an attempt. When Redis itself is down the job cannot
 * be moved: it stays active, its lock expires, and a worker takes it again as stalled.
 */
export async function deferJob(job: Job, token: string | undefined, delayMs: number) {
  const jittered = Math.round(delayMs * (0.5 + Math.random()));
  await job.moveToDelayed(Date.now() + jittered, token).catch(() => undefined);
  return new DelayedError();
}

export function createInferenceWorker(
  deps: {
    db: Db;
    batcher: MicroBatcher<string, JobOutcome>;
    gate: DependencyGate;
    pauses: WorkerPauses;
    logger: Logger;
    metrics: WorkerMetrics;
  },
  options: InferenceWorkerOptions,
): Worker<ScorePredictionPayload> {
  const { db, batcher, gate, pauses, logger, metrics } = deps;

  /**
   * A job that already stalled may be what crashed a worker. It is scored alone, as the only job
   * this worker holds: the worker stops taking jobs, lets the others in hand finish, and defers
   * any other suspect (no attempt) until this one is done. So a poison prediction only ever takes
   * itself down, and its stalls are its own.
   */
  let suspectInHand = false;
  const scoreSuspect = async (job: Job<ScorePredictionPayload>, predictionId: string) => {
    const crashes = job.data.soloCrashes ?? 0;
    if (crashes >= options.poisonMaxCrashes) {
      throw new PermanentError(
        `scoring this prediction alone stopped its worker ${crashes} times (it crashes or hangs the process)`,
      );
    }
    suspectInHand = true;
    await pauses.hold('suspect job');
    try {
      // Counted before scoring: a worker that dies now leaves the count for the next one.
      await job.updateData({ ...job.data, soloCrashes: crashes + 1 });
      logger.info('scoring a job that stalled before, alone', {
        stalled: job.stalledCounter,
        soloCrashes: crashes,
      });
      return await batcher.submit(predictionId, { alone: true });
    } finally {
      suspectInHand = false;
      await pauses.release('suspect job');
    }
  };
  const queue = QUEUES.inference;

  const record = (outcome: JobOutcome, batch: boolean): void => {
    if (outcome.kind !== 'succeeded') return;
    const model_version = String(outcome.modelVersion);
    metrics.predictionsCompleted.inc({ status: 'succeeded', model_version });
    if (batch) metrics.batchRowsScored.inc({ status: 'succeeded' });
    metrics.topScore.observe({ model_version }, outcome.topScore);
  };

  const processor = async (
    job: Job<ScorePredictionPayload>,
    token?: string,
  ): Promise<JobOutcome> => {
    const payload = scorePredictionPayload.safeParse(job.data);
    if (!payload.success)
      throw new UnrecoverableError(`invalid job payload: ${payload.error.message}`);
    const { predictionId } = payload.data;
    metrics.queueWait.observe({ queue }, ((job.processedOn ?? Date.now()) - job.timestamp) / 1000);
    const stop = metrics.jobDuration.startTimer({ queue });
    const suspect = job.stalledCounter > 0;
    if (suspect && suspectInHand) throw await deferJob(job, token, options.outageDelayMs);
    return withLogContext({ jobId: job.id, predictionId }, async () => {
      try {
        const outcome = suspect
          ? await scoreSuspect(job, predictionId)
          : await batcher.submit(predictionId);
        stop({ outcome: outcome.kind });
        record(outcome, isBatchJob(job));
        return outcome;
      } catch (error) {
        const outage =
          error instanceof DeadlineExceeded ? await deadlineCause(db, error) : outageOf(error);
        if (outage) {
          stop({ outcome: 'deferred' });
          metrics.outageDeferrals.inc({ queue, cause: outage });
          if (outage === 'database') gate.report('database', error);
          logger.debug('job put back without an attempt', {
            cause: outage,
            error: errorMessage(error),
          });
          throw await deferJob(job, token, options.outageDelayMs);
        }
        const permanent = error instanceof PermanentError;
        const final = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        stop({ outcome: final ? 'failed' : 'retried' });
        if (final) {
          metrics.predictionsCompleted.inc({ status: 'failed', model_version: 'none' });
          if (isBatchJob(job)) metrics.batchRowsScored.inc({ status: 'failed' });
          // Unrecorded now (the database went away meanwhile), the sweep records it later from
          // the job's failed reason, which stays this error.
          const modelId = error instanceof ModelScoringError ? error.modelId : undefined;
          await failPrediction(db, predictionId, errorMessage(error), modelId).catch(
            (cause: unknown) =>
              logger.warn('could not record the failure yet', { error: errorMessage(cause) }),
          );
          logger.warn('prediction failed', {
            error: errorMessage(error),
            attempts: job.attemptsMade + 1,
          });
        } else {
          logger.info('prediction attempt failed; will retry', { error: errorMessage(error) });
        }
        throw permanent ? new UnrecoverableError(errorMessage(error)) : error;
      }
    });
  };

  const worker = new Worker<ScorePredictionPayload, JobOutcome>(queue, processor, {
    connection: options.connection,
    prefix: queuePrefix(options.prefix, queue),
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount,
    autorun: false,
  });
  worker.on('error', (error) => logger.error('inference worker error', { error: error.message }));
  worker.on('stalled', (jobId) =>
    logger.warn('job stalled (its worker died or lost the lock); taken again', { jobId }),
  );
  return worker;
}
