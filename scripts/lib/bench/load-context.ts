// What every load mode shares: the HTTP clients (one per API process: sessions go round-robin,
// as a load balancer would send them), the simulated users, and the session numbering that
// makes the same seed send the same requests.
import { setMaxListeners } from 'node:events';

import { PredictqClient } from '@predictq/client';
import { createRng, type Rng } from '@predictq/random';
import { readTravellerProfiles, type TravellerProfile } from '@predictq/simulation';

import { type PollMode, planSession, type SessionPlan } from './bench-session';

export interface LoadOptions {
  seed: number;
  poll: PollMode;
  /** Connections to each API: the clients (closed loop) or the sessions in flight (open loop). */
  connections: number;
  timeoutMs: number;
}

export class LoadContext {
  private readonly root: Rng;
  private index = 0;
  private readonly aborter = new AbortController();

  private constructor(
    private readonly clients: PredictqClient[],
    private readonly profiles: readonly TravellerProfile[],
    readonly poll: PollMode,
    seed: number,
    /** Aborted by Ctrl-C: no session starts after it. */
    readonly stop: AbortSignal,
  ) {
    this.root = createRng(seed);
    // Every request in flight listens to it.
    setMaxListeners(0, this.aborter.signal);
  }

  static async create(apiUrls: readonly string[], options: LoadOptions, stop: AbortSignal) {
    const profiles = await readTravellerProfiles();
    const context = new LoadContext([], profiles, options.poll, options.seed, stop);
    for (const url of apiUrls) {
      context.clients.push(
        new PredictqClient({
          baseUrl: url,
          connections: options.connections,
          timeoutMs: options.timeoutMs,
          signal: context.aborter.signal,
        }),
      );
    }
    return context;
  }

  /** The next session's plan and the API it goes to. */
  next(): { plan: SessionPlan; client: PredictqClient } {
    const index = this.index++;
    return {
      plan: planSession(this.profiles, this.root.fork()),
      client: this.clients[index % this.clients.length]!,
    };
  }

  /** Ends the requests still in flight (after the drain) and closes the connections. */
  async close(): Promise<void> {
    this.aborter.abort();
    await Promise.all(this.clients.map((client) => client.close().catch(() => undefined)));
  }
}
