// Noticing that Redis lost its data (restarted without persistence, failed over to an empty
// replica, flushed): the server's run_id changes on every restart, and a marker key we wrote is
// gone after a flush. Either way the recovery sweep should run at once instead of waiting for
// predictions to be SWEEP_AFTER_MS old.
import { randomUUID } from 'node:crypto';

import { Cluster } from 'ioredis';

import type { RedisConnection } from './connection';

export class RedisEpoch {
  private runId: string | undefined;

  constructor(
    private readonly redis: RedisConnection,
    private readonly markerKey: string,
  ) {}

  /**
   * True when Redis may have lost data since the last call: its run_id changed, or the marker is
   * missing (also on the first call after a fresh start, when nothing can be known).
   */
  async changed(): Promise<boolean> {
    // On a Cluster, INFO answers from any node, so only the marker tells: it shares the inference
    // queue's hash tag, so it vanishes exactly when the shard holding those jobs lost its data.
    const [info, marker] = await Promise.all([
      this.redis instanceof Cluster ? Promise.resolve('') : this.redis.info('server'),
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
