// The traffic generator (scripts/traffic.ts) as a user runs it: a child process against a real
// API and worker, its JSON report checked against what reached PostgreSQL.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { TrafficReport } from '../../scripts/lib/traffic/report';
import type { RequestLogLine } from '../../scripts/lib/traffic/request-log';
import { ROOT } from '../support/env';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;
let dir: string;

beforeAll(async () => {
  [platform, dir] = await Promise.all([
    startPlatform(),
    mkdtemp(path.join(os.tmpdir(), 'predictq-traffic-test-')),
  ]);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: TrafficReport;
}

let runs = 0;

/** Runs the generator against the platform; `during` may act on it while it runs. */
async function traffic(
  args: string[],
  during?: (child: ReturnType<typeof spawn>, stderr: () => string) => Promise<void>,
): Promise<Run> {
  const json = path.join(dir, `report-${++runs}.json`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/traffic.ts', '--url', platform.api.url, '--json', json, ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH, NODE_ENV: 'test' }, stdio: 'pipe' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await during?.(child, () => stderr);
  const code = await exited;
  const report = JSON.parse(await readFile(json, 'utf8').catch(() => 'null')) as TrafficReport;
  if (!report) throw new Error(`no report (exit ${code})\n${stdout}\n${stderr}`);
  return { code, stdout, stderr, report };
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await platform.database.pool.query(sql, params)).rows as T[];
}

/** Counts of the feedback outcomes, for all predictions or those of one run (v1 keys). */
async function feedbackCounts(runId?: string): Promise<{ chosen: number; none: number }> {
  const rows = await query<{ outcome: 'chosen' | 'none'; n: number }>(
    `select f.outcome, count(*)::int as n from feedback f join predictions p on p.id = f.prediction_id
     where $1::text is null or p.idempotency_key like $1 group by f.outcome`,
    [runId === undefined ? null : `traffic-${runId}-%`],
  );
  const count = (outcome: string) => rows.find((r) => r.outcome === outcome)?.n ?? 0;
  return { chosen: count('chosen'), none: count('none') };
}

interface StoredSession {
  session: number;
  status: string;
  outcome: 'chosen' | 'none' | null;
  location_id: number | null;
  [column: string]: unknown;
}

/** What a v1 run's sessions sent, by session number: the stored request and the feedback. */
function storedSessions(runId: string) {
  return query<StoredSession>(
    `select substring(p.idempotency_key from '[0-9]+$')::int as session, p.status, p.profile,
            p.people_num, p.people_age, p.children_num, p.budget, p.nights,
            p.time_arrival::text, p.pool, p.spa, p.pet_friendly, p.lake, p.mountain, p.sport,
            f.outcome, f.location_id
     from predictions p left join feedback f on f.prediction_id = p.id
     where p.idempotency_key like $1 order by session`,
    [`traffic-${runId}-%`],
  );
}

async function requestLog(file: string): Promise<RequestLogLine[]> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  return lines.map((l) => JSON.parse(l) as RequestLogLine).sort((a, b) => a.session - b.session);
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+\(?.+:\d+:\d+\)?$/m);

describe('npm run traffic on the v1 API', () => {
  let first: Run;
  const logA = () => path.join(dir, 'requests-a.jsonl');

  beforeAll(async () => {
    first = await traffic(
      ['--no-sleep', '-n', '20', '-p', '4', '--seed', '11', '-d', '0.8'].concat([
        '--log-requests',
        logA(),
      ]),
    );
  }, 60_000);

  it('--no-sleep -n 20 succeeds every prediction, and PostgreSQL holds the feedback it reports', async () => {
    const { code, report, stdout, stderr } = first;
    expect(code).toBe(0);
    expect(report.sessions).toMatchObject({ ended: 20, completed: 20, errored: 0 });
    expect(report.predictions).toEqual({ submitted: 20, succeeded: 20, failed: 0, unfinished: 0 });
    expect(report.errors.total).toBe(0);
    expect(report.stoppedBy).toBe('sessions');
    const { chosen, none, skipped } = report.feedback;
    expect(chosen + none + skipped).toBe(20);
    expect(await feedbackCounts(report.runId)).toEqual({ chosen, none });
    const stored = await storedSessions(report.runId);
    expect(stored.map((r) => r.session)).toEqual([...Array(20).keys()]);
    expect(stored.every((r) => r.status === 'succeeded')).toBe(true);
    expect(report.acceptance.rate).toBeCloseTo(chosen / 20, 4);
    expect(report.latency.submitToSucceededMs.count).toBe(20);
    expect(stdout).toContain(`${chosen} chosen, ${none} none fitted, ${skipped} skipped`);
    noStackTrace(stderr);
  });

  it('sends the same requests and makes the same choices for the same seed, with any -p', async () => {
    const logB = path.join(dir, 'requests-b.jsonl');
    const again = await traffic([
      '--no-sleep',
      '-n',
      '20',
      '-p',
      '1',
      '--seed',
      '11',
      '-d',
      '0.8',
      '--log-requests',
      logB,
    ]);
    expect(again.code).toBe(0);
    expect(again.report.runId).not.toBe(first.report.runId);
    expect(await storedSessions(again.report.runId)).toEqual(
      await storedSessions(first.report.runId),
    );
    expect(again.report.feedback).toEqual(first.report.feedback);
    const [a, b] = await Promise.all([requestLog(logA()), requestLog(logB)]);
    expect(b).toEqual(a);
    expect(a.map((l) => l.session)).toEqual([...Array(20).keys()]);

    const other = await traffic(['--no-sleep', '-n', '5', '--seed', '12']);
    const requests = async (runId: string) =>
      (await storedSessions(runId)).slice(0, 5).map(({ outcome: _o, location_id: _l, ...r }) => r);
    expect(await requests(other.report.runId)).not.toEqual(await requests(first.report.runId));
  }, 60_000);
});

describe('npm run traffic on the MLprod-compatible routes', () => {
  it('runs whole sessions with think time, and PostgreSQL holds the feedback it reports', async () => {
    const count = async () =>
      (await query<{ n: number }>('select count(*)::int as n from predictions'))[0]!.n;
    const [predictionsBefore, feedbackBefore] = await Promise.all([count(), feedbackCounts()]);
    const { code, report, stderr } = await traffic(
      ['--api', 'compat', '-n', '12', '-p', '3', '--seed', '5'].concat([
        '--tmin',
        '0.005',
        '--tmax',
        '0.02',
      ]),
    );
    expect(code).toBe(0);
    expect(report.api).toBe('compat');
    expect(report.thinkTime).toEqual({ alpha: 2, beta: 5, tmin: 0.005, tmax: 0.02 });
    expect(report.predictions).toEqual({ submitted: 12, succeeded: 12, failed: 0, unfinished: 0 });
    expect(report.errors.total).toBe(0);
    expect(report.latency.clock).toBe('client');
    expect((await count()) - predictionsBefore).toBe(12);
    const feedbackAfter = await feedbackCounts();
    expect(feedbackAfter.chosen - feedbackBefore.chosen).toBe(report.feedback.chosen);
    expect(feedbackAfter.none - feedbackBefore.none).toBe(report.feedback.none);
    expect(report.feedback.chosen + report.feedback.none).toBe(12);
    noStackTrace(stderr);
  }, 60_000);
});

describe('npm run traffic when the API stops mid-run', () => {
  it('counts the errors and, on Ctrl-C, ends with its report and exit code 0, no stack trace', async () => {
    const { code, report, stdout, stderr } = await traffic(
      ['--no-sleep', '-p', '4', '--duration', '60', '--timeout', '2000'],
      async (child, stderrSoFar) => {
        const feedback = async () => {
          const { chosen, none } = await feedbackCounts();
          return chosen + none;
        };
        const before = await feedback();
        while ((await feedback()) < before + 10) await new Promise((r) => setTimeout(r, 50));
        // SIGTERM; the API then serves the connections in use until its deadline (30 s), so
        // after 3 s it is killed. Either way the generator sees resets and refused connections.
        const stopped = platform.api.stop();
        await Promise.race([stopped, new Promise((r) => setTimeout(r, 3_000))]);
        if (platform.api.running) await platform.api.stop('SIGKILL');
        // Until the generator has logged a refused submit: polls of the sessions in flight are
        // refused first, and only the sessions started after them submit to the dead API.
        while (!stderrSoFar().includes('error: submit: connect ECONNREFUSED')) {
          await new Promise((r) => setTimeout(r, 50));
        }
        child.kill('SIGINT');
      },
    );
    expect(code).toBe(0);
    expect(report.stoppedBy).toBe('SIGINT');
    expect(report.sessions.completed).toBeGreaterThanOrEqual(10);
    expect(report.sessions.errored).toBeGreaterThan(0);
    expect(report.errors.network.ECONNREFUSED).toBeGreaterThan(0);
    expect(report.errors.total).toBeGreaterThanOrEqual(report.errors.network.ECONNREFUSED!);
    expect(stdout).toMatch(/errors +\d+ \(.*ECONNREFUSED ×\d+/);
    expect(stderr).toContain('error: submit: connect ECONNREFUSED');
    noStackTrace(stderr);
  }, 60_000);
});
