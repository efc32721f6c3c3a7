// The overload burst at a small size: 200 clients submitting without pause against one API and
// one worker with low admission limits get only 202, 429 or 503, every refusal with Retry-After,
// and every accepted prediction ends succeeded.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { BurstReport } from '../../scripts/lib/burst/burst';
import { ROOT } from '../support/env';
import { eventually } from '../support/http';
import { startPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;
let dir: string;

beforeAll(async () => {
  [platform, dir] = await Promise.all([
    startPlatform({
      env: {
        ADMISSION_MAX_WAITING: '20',
        ADMISSION_MAX_IN_FLIGHT: '16',
        ADMISSION_SAMPLE_INTERVAL_MS: '50',
      },
    }),
    mkdtemp(path.join(os.tmpdir(), 'predictq-burst-test-')),
  ]);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function burst(args: string[]): Promise<{ code: number | null; report: BurstReport }> {
  const json = path.join(dir, 'report.json');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/burst.ts', '--url', platform.api.url, '--json', json, ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH }, stdio: 'ignore' },
  );
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, report: JSON.parse(await readFile(json, 'utf8')) as BurstReport };
}

describe('an overload burst of 200 clients', () => {
  it('gets only 202, 429 or 503 with Retry-After, and every accepted prediction succeeds', async () => {
    const { code, report } = await burst([
      '--clients',
      '200',
      '--duration',
      '6',
      '--timeout',
      '30000',
    ]);
    expect(Object.keys(report.byStatus).filter((s) => !['202', '429', '503'].includes(s))).toEqual(
      [],
    );
    expect(report.refusalsWithoutRetryAfter).toBe(0);
    expect(report.networkErrors).toEqual({});
    expect(report.byStatus['202']).toBeGreaterThan(0);
    expect(report.byStatus['503']).toBeGreaterThan(0);
    expect(code).toBe(0);
    const accepted = report.byStatus['202']!;
    const counts = await eventually(
      'every accepted prediction ended',
      async () => {
        const { rows } = await platform.database.pool.query<{ status: string; n: number }>(
          'select status, count(*)::int as n from predictions group by status',
        );
        const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
        return (byStatus.queued ?? 0) + (byStatus.processing ?? 0) === 0 ? byStatus : undefined;
      },
      120_000,
    );
    expect(counts).toEqual({ succeeded: accepted });
  }, 240_000);
});
