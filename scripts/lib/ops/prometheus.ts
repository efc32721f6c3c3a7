// A real Prometheus (Debian's `prometheus` package, or PROMETHEUS_BIN) run against processes on
// this machine: the jobs of prometheus/prometheus.yml with their service discovery replaced by
// static targets, the alert rules of prometheus/alerts.yml, short intervals; queried through its
// HTTP API.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { parse, stringify } from 'yaml';

import { ALERTS_FILE, PROMETHEUS_DIR } from './dashboards';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? 'promtool';

export function prometheusInstalled(): boolean {
  const run = spawnSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8' });
  return run.status === 0;
}

export function promtool(args: string[]): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL_BIN, args, { encoding: 'utf8' });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: unknown[];
  [key: string]: unknown;
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
  [key: string]: unknown;
}

/**
 * prometheus/prometheus.yml for a local run: every job keeps its settings but scrapes `targets`
 * (host:port) instead of what it discovers; `self` is Prometheus's own address. A job of the file
 * without local targets is an error, so that the file and the checks stay in step.
 */
export function localConfig(
  source: string,
  targets: Record<string, string[]>,
  options: { self: string; interval: string; rulesFile: string },
): string {
  const config = parse(source) as PrometheusConfig;
  config.global = {
    ...config.global,
    scrape_interval: options.interval,
    scrape_timeout: options.interval,
    evaluation_interval: options.interval,
  };
  config.rule_files = [options.rulesFile];
  config.scrape_configs = config.scrape_configs.map((job) => {
    const local = job.job_name === 'prometheus' ? [options.self] : targets[job.job_name];
    if (!local || local.length === 0) throw new Error(`no local targets for job ${job.job_name}`);
    const { dns_sd_configs: _dns, static_configs: _static, ...rest } = job;
    return { ...rest, static_configs: [{ targets: local }] };
  });
  for (const job of Object.keys(targets)) {
    if (!config.scrape_configs.some((c) => c.job_name === job)) {
      throw new Error(`prometheus.yml has no job ${job}`);
    }
  }
  return stringify(config);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export type Sample = { metric: Record<string, string>; value: [number, string] };

export interface RuleState {
  name: string;
  health: string;
  lastError?: string;
  lastEvaluation: string;
  /** Alerting rules: inactive, pending or firing. */
  state?: string;
}

export class LocalPrometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly stderr: () => string,
  ) {}

  /** Starts Prometheus on a free port with a temporary TSDB; resolves once it is ready. */
  static async start(
    targets: Record<string, string[]>,
    options: { interval?: string; rulesFile?: string } = {},
  ): Promise<LocalPrometheus> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'predictq-prometheus-'));
    const port = await freePort();
    const self = `127.0.0.1:${port}`;
    const config = localConfig(
      await readFile(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8'),
      targets,
      { self, interval: options.interval ?? '1s', rulesFile: options.rulesFile ?? ALERTS_FILE },
    );
    await writeFile(path.join(dir, 'prometheus.yml'), config);
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=${self}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const prometheus = new LocalPrometheus(`http://${self}`, child, dir, () => stderr);
    try {
      await prometheus.until('ready', async () => (await fetch(`${prometheus.url}/-/ready`)).ok);
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  /** Polls `check` until it is true (errors count as false) or `timeoutMs` passes. */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(`prometheus exited (${this.child.exitCode}):\n${this.stderr()}`);
      }
      if (await check().catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`prometheus: not ${what} in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private async api<T>(pathAndQuery: string): Promise<T> {
    const response = await fetch(`${this.url}/api/v1/${pathAndQuery}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${response.status}`);
    return body.data;
  }

  /** An instant query at the current time. */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.api<{ resultType: string; result: Sample[] | [number, string] }>(
      `query?query=${encodeURIComponent(expr)}`,
    );
    if (data.resultType === 'scalar')
      return [{ metric: {}, value: data.result as [number, string] }];
    return data.result as Sample[];
  }

  async targets(): Promise<{ job: string; health: string; lastError: string }[]> {
    const data = await this.api<{
      activeTargets: { labels: { job: string }; health: string; lastError: string }[];
    }>('targets?state=active');
    return data.activeTargets.map((t) => ({
      job: t.labels.job,
      health: t.health,
      lastError: t.lastError,
    }));
  }

  /**
   * Waits until Prometheus scrapes `count` targets, all up (the scrape manager applies its
   * targets a few seconds after the start).
   */
  async allTargetsUp(count: number, timeoutMs = 30_000): Promise<void> {
    await this.until(
      `scraping ${count} targets`,
      async () => {
        const targets = await this.targets();
        return targets.length === count && targets.every((t) => t.health === 'up');
      },
      timeoutMs,
    );
  }

  async rules(): Promise<RuleState[]> {
    const data = await this.api<{ groups: { rules: RuleState[] }[] }>('rules');
    return data.groups.flatMap((group) => group.rules);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** host:port of a URL, as a Prometheus target. */
export function targetOf(url: string): string {
  return new URL(url).host;
}
