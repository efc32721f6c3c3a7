// The interactive backlog of a queue, sampled in the background: jobs waiting and the age of the
// oldest waiting job. Batch predictions wait in BullMQ's prioritized set, below interactive work
// and at most a window per batch, so they are not counted: a large batch never makes admission
// control refuse interactive clients. Admission control reads the last sample, so a submission costs no
// Redis call for it; a sample too old to trust (Redis is away) reads as unknown.
import type { Queue } from 'bullmq';
import type { RedisConnection } from './connection';

export interface Backlog {
  /** Interactive jobs waiting for a worker (the wait list; batch jobs are prioritized). */
  waiting: number;
  /** How long the oldest waiting job has waited; 0 when none waits. */
  oldestWaitMs: number;
  /** When the sample was taken (epoch ms). */
  sampledAt: number;
}

/**
 * Reads the interactive backlog of `queue` (its keys on `redis`) in two round trips. BullMQ pushes new jobs on
 * the left of the wait list and workers take them from the right, so the oldest waiting job is the
 * last element; its hash holds the time it was added.
 */
export async function readBacklog(
  redis: RedisConnection,
  queue: Queue,
  now = Date.now(),
): Promise<Backlog> {
  const wait = queue.keys.wait as string;
  const results = await redis.pipeline().llen(wait).lindex(wait, -1).exec();
  const values = (results ?? []).map(([error, value]: [Error | null, unknown]) => {
    if (error) throw error;
    return value;
  });
  const waiting = Number(values[0] ?? 0);
  const oldestId = values[1] as string | null;
  let oldestWaitMs = 0;
  if (oldestId) {
    const timestamp = Number(await redis.hget(`${queue.qualifiedName}:${oldestId}`, 'timestamp'));
    if (Number.isFinite(timestamp) && timestamp > 0) oldestWaitMs = Math.max(0, now - timestamp);
  }
  return { waiting, oldestWaitMs, sampledAt: now };
}

export interface BacklogSamplerOptions {
  intervalMs: number;
  onSample?: (backlog: Backlog) => void;
  onError?: (error: unknown) => void;
}

export class BacklogSampler {
  private last: Backlog | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly queue: Queue,
    private readonly options: BacklogSamplerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The last sample while it is fresh (a few intervals); undefined when unknown. */
  current(now = Date.now()): Backlog | undefined {
    const last = this.last;
    if (!last) return undefined;
    const maxAgeMs = Math.max(4 * this.options.intervalMs, 2_000);
    return now - last.sampledAt <= maxAgeMs ? last : undefined;
  }

  private async tick(): Promise<void> {
    try {
      this.last = await readBacklog(this.redis, this.queue);
      this.options.onSample?.(this.last);
    } catch (error) {
      this.options.onError?.(error);
    }
    if (this.stopped) return;
    // Chained, never overlapping: a slow Redis slows the sampling down instead of piling it up.
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }
}
