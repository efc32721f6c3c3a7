// A Redis server of our own, on a free port, that a fault test or `npm run chaos` may kill and
// restart: a restart comes back empty (no persistence), as a Redis that lost its data. The
// machine's shared Redis is never stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Redis } from 'ioredis';

import { freePort } from './free-port';

export class LocalRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly socket: boolean,
  ) {}

  /** socket: the server also listens on a Unix-domain socket in its directory (socketUrl). */
  static async start(options: { socket?: boolean } = {}): Promise<LocalRedis> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'predictq-redis-'));
    const redis = new LocalRedis(await freePort(), dir, options.socket ?? false);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private get socketPath(): string {
    return path.join(this.dir, 'redis.sock');
  }

  /** The Unix-domain socket's URL (started with socket: true). */
  get socketUrl(): string {
    if (!this.socket) throw new Error('this redis-server listens on TCP only');
    return `unix://${this.socketPath}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  /** Starts the server (empty) and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.running) return;
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--maxmemory-policy',
        'noeviction',
        ...(this.socket ? ['--unixsocket', this.socketPath, '--unixsocketperm', '700'] : []),
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Kills the server (SIGKILL): everything it held is lost. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
