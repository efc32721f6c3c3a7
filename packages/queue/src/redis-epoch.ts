// Noticing that Redis lost its data (restarted without persistence, failed over to an empty
// replica, flushed): the server's run_id changes on every restart, and a marker key we wrote is
// gone after a flush. Either way the recovery sweep should run at once instead of waiting for
// predictions to be SWEEP_AFTER_MS old.
import { randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';

export class RedisEpoch {
  private runId: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly markerKey: string,
  ) {}

  /**
   * True when Redis may have lost data since the last call: its run_id changed, or the marker is
   * missing (also on the first call after a fresh start, when nothing can be known).
   */
  async changed(): Promise<boolean> {
    const [info, marker] = await Promise.all([
      this.redis.info('server'),
      this.redis.get(this.markerKey),
    ]);
    const runId = /run_id:(\w+)/.exec(info)?.[1];
    let changed = this.runId !== undefined && runId !== this.runId;
    this.runId = runId;
    if (marker === null) {
      changed = true;
      await this.redis.set(this.markerKey, randomUUID(), 'NX');
    }
    return changed;
  }
}
