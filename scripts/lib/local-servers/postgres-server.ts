// A PostgreSQL server of our own, in a temporary directory on a free port, that a fault test or
// `npm run chaos` may stop, freeze and start again (an outage). PostgreSQL refuses to run as root,
// so its commands run as the `postgres` user. The machine's shared server is never stopped.
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

import { freePort } from './free-port';

const run = promisify(execFile);

async function postgresBin(): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir']);
  return stdout.trim();
}

/** Runs a PostgreSQL command as the postgres user (as root), or as ourselves otherwise. */
async function asPostgres(command: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
  else await run(command, args);
}

export class LocalPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
  ) {}

  /** initdb (trust auth, no fsync: a test server) and start. */
  static async start(): Promise<LocalPostgres> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'predictq-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const server = new LocalPostgres(await freePort(), dir, await postgresBin());
    await asPostgres(path.join(server.bin, 'initdb'), [
      '-D',
      server.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '--no-instructions',
    ]);
    await server.start();
    return server;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** The URL of database `name` on this server. */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  async start(): Promise<void> {
    await asPostgres(path.join(this.bin, 'pg_ctl'), [
      '-D',
      this.dataDir,
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      '-w',
      'start',
    ]);
  }

  /** Stops the server: `fast` closes connections cleanly, `immediate` is a crash. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await asPostgres(path.join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) every process of the server: a hung database, which
   * accepts connections but answers nothing, so only the clients' own timeouts end their waits.
   */
  async signal(signal: 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const postmaster = Number(
      (await readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]);
    const pids = [
      postmaster,
      ...stdout
        .split('\n')
        .map(Number)
        .filter((pid) => pid > 0),
    ];
    for (const pid of pids) process.kill(pid, signal);
  }

  async query(sql: string, database = 'postgres'): Promise<void> {
    const client = new Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Stops the server (if running) and removes its files. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
