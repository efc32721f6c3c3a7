// A dedicated connection that LISTENs for predictions reaching a terminal state (announced by
// the complete, fail and cancel statements at commit) and for those that started (the claim), so
// that long polls and event streams are answered the moment their prediction changes. It reconnects with backoff; notifications sent while it was
// away are lost, so onReconnect lets waiters re-read instead of waiting for nothing.
import { Client } from 'pg';

import { PREDICTION_ENDED_CHANNEL, PREDICTION_STARTED_CHANNEL } from './prepared';

export interface PredictionEventsOptions {
  url: string;
  onEnded: (ids: string[]) => void;
  /** Predictions that began processing (for the event streams). */
  onStarted?: (ids: string[]) => void;
  onReconnect: () => void;
  onError: (error: Error) => void;
}

export class PredictionEvents {
  private client: Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;

  constructor(private readonly options: PredictionEventsOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'predictq-events',
    });
    client.on('notification', (message) => {
      if (message.channel === PREDICTION_ENDED_CHANNEL && message.payload) {
        this.options.onEnded(message.payload.split(','));
      } else if (message.channel === PREDICTION_STARTED_CHANNEL && message.payload) {
        this.options.onStarted?.(message.payload.split(','));
      }
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${PREDICTION_ENDED_CHANNEL}`);
    if (this.options.onStarted) await client.query(`LISTEN ${PREDICTION_STARTED_CHANNEL}`);
    this.client = client;
    if (this.attempts > 0) this.options.onReconnect();
    this.attempts = 0;
  }

  private lost(client: Client, error: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    this.options.onError(error);
    this.options.onReconnect();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.attempts += 1;
    const delay = Math.min(5_000, 100 * 2 ** this.attempts);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.options.onError(error instanceof Error ? error : new Error(String(error)));
        this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }
}
