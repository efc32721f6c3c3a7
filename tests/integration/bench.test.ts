// npm run bench in each of its modes, for a few seconds at a few clients: it proves that each
// mode runs and reports, never how fast. Against a test platform (closed loop, --rate, --ramp),
// and on fresh platforms of its own (--start, --compare), which must be gone afterwards. And
// npm run fill on a database of its own, checked row by row against the schema.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Redis } from 'ioredis';

import type { DriftOutcome } from '../../scripts/lib/scenario/drift-scenario';
import { withAdmin } from '../support/admin';
import { countRows, createTestDatabase } from '../support/database';
import { ADMIN_URL, REDIS_URL, ROOT, runModelDir } from '../support/env';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;
let dir: string;

beforeAll(async () => {
  [platform, dir] = await Promise.all([
    startPlatform(),
    mkdtemp(path.join(os.tmpdir(), 'predictq-bench-test-')),
  ]);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface ProcessFigures {
  pids: number[];
  cpuSeconds: number;
  cpuMsPerSession: number | null;
  peakRssBytes: number;
}

interface RunResult {
  sessions: Record<'started' | 'completed' | 'errored' | 'predictionFailed' | 'dropped', number>;
  latencyMs: Record<string, { count: number; p50: number; p99: number }>;
  processes: Record<string, ProcessFigures>;
  throughput: { sessionsPerSecond: number };
}

interface StartedPlatform {
  database: string;
  redisUrl: string;
  queuePrefix: string;
  spec: { env: Record<string, string> };
  fill: { predictions: number } | null;
  apis: { pid: number }[];
  workers: { pid: number }[];
}

/** The parts of the JSON report these tests read. */
interface Report {
  mode: string;
  git: { commit: string };
  machine: { cpus: number };
  measurement: {
    result: RunResult;
    steps: { rate: number; passed: boolean }[];
    highestRate: number | null;
  };
  startedPlatform: StartedPlatform;
  comparison: {
    configurations: Record<string, string>;
    rounds: { label: string; platform: StartedPlatform }[];
    medians: Record<'A' | 'B', Record<string, number>>;
    ratiosBOverA: Record<string, number>;
  };
}

let runs = 0;

async function bench(args: string[], script = 'scripts/bench.ts') {
  const json = path.join(dir, `report-${++runs}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args, '--json', json], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: ADMIN_URL, REDIS_URL, NODE_ENV: 'test' },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const report = JSON.parse(await readFile(json, 'utf8').catch(() => 'null')) as Report | null;
  if (code !== 0 || !report) throw new Error(`bench exited ${code}:\n${output}`);
  return { report, output };
}

const running = () => ['--url', platform.api.url, '--database-url', platform.database.url];
const short = ['--warmup', '0.5', '--duration', '2', '--drain', '10'];

function expectSessions(result: RunResult) {
  expect(result.sessions.completed).toBeGreaterThan(0);
  expect(result.sessions.errored + result.sessions.predictionFailed).toBe(0);
  for (const sample of ['resultInHand', 'session', 'submit', 'result', 'feedback', 'server']) {
    expect(result.latencyMs[sample]!.count).toBeGreaterThan(0);
  }
  expect(result.latencyMs.resultInHand!.p50).toBeLessThanOrEqual(result.latencyMs.session!.p50);
}

async function databaseExists(name: string): Promise<boolean> {
  return withAdmin(async (admin) => {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rowCount === 1;
  });
}

async function keysUnder(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

describe('npm run bench against a running platform', () => {
  it('closed loop: client-clock latency of each request kind, and the CPU of the processes it found', async () => {
    const { report, output } = await bench([...running(), '--clients', '2', ...short]);
    expect(report.mode).toBe('closed');
    expect(report.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.machine.cpus).toBeGreaterThan(0);
    const result = report.measurement.result;
    expectSessions(result);
    // Found from their PostgreSQL connections: the test platform's own processes.
    expect(result.processes.api!.pids).toEqual([platform.api.child.pid]);
    expect(result.processes.worker!.pids).toEqual([platform.worker!.child.pid]);
    for (const name of [
      'api',
      'worker',
      'postgres',
      'postgresDatabase',
      'redis',
      'loadGenerator',
    ]) {
      expect(result.processes[name]!.cpuSeconds).toBeGreaterThanOrEqual(0);
      expect(result.processes[name]!.peakRssBytes).toBeGreaterThan(0);
    }
    expect(output).toMatch(/submit → result in hand +\d+/);
  }, 60_000);

  it('--rate: every session of the timetable is started or counted as dropped', async () => {
    const { report } = await bench([...running(), '--rate', '20', ...short]);
    expect(report.mode).toBe('open');
    const result = report.measurement.result;
    expectSessions(result);
    // 20/s from 0.5 s to 2.5 s after the start: 40 sessions scheduled in the window.
    expect(result.sessions.started + result.sessions.dropped).toBe(40);
    expect(result.latencyMs.startLag!.count).toBe(result.sessions.started);
  }, 60_000);

  it('--poll stream and wait: the result pushed by the event stream, or held by the submit', async () => {
    const stream = (await bench([...running(), '--clients', '2', '--poll', 'stream', ...short]))
      .report.measurement.result;
    expectSessions(stream);
    // One stream per session, unless one was cut before its terminal event.
    expect(stream.latencyMs.result!.count).toBeGreaterThanOrEqual(stream.sessions.completed);
    const held = (await bench([...running(), '--clients', '2', '--poll', 'wait', ...short])).report
      .measurement.result;
    expect(held.sessions.completed).toBeGreaterThan(0);
    expect(held.sessions.errored + held.sessions.predictionFailed).toBe(0);
    // The submit answered with the ended prediction: (nearly) no GET followed it.
    expect(held.latencyMs.result?.count ?? 0).toBeLessThan(held.latencyMs.submit!.count / 2);
  }, 60_000);

  it('--ramp: steps the rate up and reports the highest that stays under the target', async () => {
    const { report, output } = await bench([
      ...running(),
      ...['--ramp', '5:10:5', '--step-duration', '1', '--warmup', '0', '--target-p99', '60000'],
    ]);
    expect(report.mode).toBe('ramp');
    expect(report.measurement.steps.map((s) => s.rate)).toEqual([5, 10]);
    expect(report.measurement.steps.every((s) => s.passed)).toBe(true);
    expect(report.measurement.highestRate).toBe(10);
    expect(output).toContain('highest rate under the target: 10 sessions/s');
  }, 60_000);
});

describe('npm run bench on fresh platforms', () => {
  it('--start --fill: builds, fills, measures every process, and removes its database and keys', async () => {
    const { report } = await bench([
      ...['--start', '--model-dir', runModelDir(), '--fill', '2000', '--clients', '2', ...short],
    ]);
    const started = report.startedPlatform;
    expect(started.fill).toMatchObject({ predictions: 2000 });
    const result = report.measurement.result;
    expectSessions(result);
    expect(result.processes.api!.pids).toEqual(started.apis.map((a) => a.pid));
    expect(result.processes.worker!.pids).toEqual(started.workers.map((w) => w.pid));
    for (const name of ['api', 'worker', 'postgres', 'redis']) {
      expect(result.processes[name]!.cpuSeconds).toBeGreaterThan(0);
      expect(result.processes[name]!.cpuMsPerSession).toBeGreaterThan(0);
    }
    expect(await databaseExists(started.database)).toBe(false);
    expect(await keysUnder(started.queuePrefix)).toBe(0);
  }, 120_000);

  // B runs on a redis-server of its own reached over its Unix-domain socket (REDIS_URL=unix://).
  it('--compare: runs A and B on fresh platforms and reports medians and the ratio B/A', async () => {
    const { report, output } = await bench([
      ...['--compare', 'workers=1', 'redis=socket WORKER_CONCURRENCY=8', '--rounds', '1'],
      ...['--no-build', '--model-dir', runModelDir(), '--clients', '2'],
      ...['--warmup', '0.5', '--duration', '1', '--drain', '10'],
    ]);
    expect(report.mode).toBe('compare');
    const { rounds, medians, ratiosBOverA, configurations } = report.comparison;
    expect(configurations).toEqual({ A: 'workers=1', B: 'redis=socket WORKER_CONCURRENCY=8' });
    expect(rounds.map((r) => r.label)).toEqual(['A', 'B']);
    expect(rounds[1]!.platform.spec.env).toEqual({ WORKER_CONCURRENCY: '8' });
    expect(rounds[0]!.platform.redisUrl).toBe(REDIS_URL);
    const socketUrl = rounds[1]!.platform.redisUrl;
    expect(socketUrl).toMatch(/^unix:\/\/\/.+\/redis\.sock$/);
    // Its own redis-server is gone with its directory.
    expect(existsSync(path.dirname(socketUrl.slice('unix://'.length)))).toBe(false);
    expect(medians.A.sessionsPerSecond).toBeGreaterThan(0);
    expect(medians.B.sessionsPerSecond).toBeGreaterThan(0);
    expect(ratiosBOverA.sessionsPerSecond).toBeCloseTo(
      medians.B.sessionsPerSecond! / medians.A.sessionsPerSecond!,
      2,
    );
    expect(output).toMatch(/sessionsPerSecond +[\d.]+ +[\d.]+ +[\d.]+/);
    for (const round of rounds) {
      expect(await databaseExists(round.platform.database)).toBe(false);
      expect(await keysUnder(round.platform.queuePrefix)).toBe(0);
    }
  }, 120_000);

  // The drift scenario's runner, one seed at a small size: it proves the whole story runs
  // (traffic, retraining, the offline verdict, the platform's canary, the recovery) and reports
  // it; at this size the story itself need not hold (the 20-seed tally is in the README).
  it('scenario:drift --start --seeds: one seed on a fresh platform, its outcome in the JSON', async () => {
    const { report } = await bench(
      ['--start', '--no-build', '--model-dir', runModelDir(), '--seeds', '1', '--sessions', '100'],
      'scripts/scenario-drift.ts',
    );
    const { outcomes } = report as unknown as { outcomes: DriftOutcome[] };
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes as [DriftOutcome];
    expect(outcome.seed).toBe(1);
    expect(outcome.candidate.version).toBeGreaterThan(outcome.baselineVersion);
    for (const rate of [outcome.regular, outcome.drifted]) {
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
    }
    // The baseline fails the drifted travellers: the premise of the story.
    expect(outcome.drifted!).toBeLessThan(outcome.regular!);
    // A canary ran when the offline rule let the candidate be tried, and the platform decided it.
    if (outcome.rollout) {
      expect(['promoted', 'rolled_back']).toContain(outcome.rollout.status);
      expect(outcome.rollout.sessions).toBeGreaterThan(0);
    }
    expect(outcome.promoted).toBe(outcome.rollout?.status === 'promoted');
    expect(outcome.after !== null).toBe(outcome.promoted);
  }, 300_000);
});

describe('npm run fill', () => {
  it('adds predictions with rankings and feedback that keep every foreign key', async () => {
    const database = await createTestDatabase({ seeded: true });
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/fill.ts', '--database-url', database.url, '-n', '2000'],
        { cwd: ROOT, env: { PATH: process.env.PATH, MODEL_DIR: runModelDir() }, stdio: 'pipe' },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      expect(output).toMatch(/added 2000 predictions/);

      const count = (sql: string) => countRows(database, `select count(*)::int as n ${sql}`);
      expect(await count('from predictions')).toBe(2000);
      const succeeded = await count("from predictions where status = 'succeeded'");
      expect(succeeded).toBeGreaterThan(1900);
      expect(await count("from predictions where status not in ('succeeded', 'failed')")).toBe(0);
      expect(await count('from rankings')).toBe(10 * succeeded);
      // Ten distinct stays per ranking, scores falling with the rank.
      expect(
        await count(
          'from (select prediction_id from rankings group by 1 having count(distinct location_id) <> 10) x',
        ),
      ).toBe(0);
      expect(
        await count(
          'from rankings a join rankings b on a.prediction_id = b.prediction_id and b.rank = a.rank + 1 where b.score > a.score',
        ),
      ).toBe(0);
      const feedback = await count('from feedback');
      expect(feedback).toBeGreaterThan(0.6 * succeeded);
      expect(feedback).toBeLessThan(0.9 * succeeded);
      // Feedback only on shown predictions, naming the stay at its rank.
      expect(
        await count(
          'from feedback f join predictions p on p.id = f.prediction_id where p.shown_rank < coalesce(f.chosen_rank, 1)',
        ),
      ).toBe(0);
      expect(
        await count(
          "from feedback f left join rankings r on r.prediction_id = f.prediction_id and r.rank = f.chosen_rank where f.outcome = 'chosen' and r.location_id is distinct from f.location_id",
        ),
      ).toBe(0);
      // Every foreign key of the filled tables holds.
      for (const [child, column, parent] of [
        ['predictions', 'model_id', 'models'],
        ['rankings', 'prediction_id', 'predictions'],
        ['rankings', 'location_id', 'locations'],
        ['feedback', 'prediction_id', 'predictions'],
        ['feedback', 'location_id', 'locations'],
        ['feedback', 'model_id', 'models'],
      ]) {
        expect(
          await count(
            `from ${child} x where x.${column} is not null and not exists (select 1 from ${parent} y where y.id = x.${column})`,
          ),
        ).toBe(0);
      }
      expect(
        await count(
          "from predictions where created_at < now() - interval '31 days' or created_at > now()",
        ),
      ).toBe(0);
    } finally {
      await database.drop();
    }
  }, 60_000);
});
