// Configuration is validated once at start: a bad variable stops the process before it does
// anything, with a message that names the variable and the reason.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { ROOT } from '../support/env';

function start(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('a bad environment', () => {
  it('stops the API at start, naming each bad variable', async () => {
    const { code, stderr } = await start('apps/api/src/main.ts', {
      PORT: 'eighty',
      REDIS_URL: 'http://localhost:6379',
      ADMIN_TOKEN: 'short',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/invalid configuration/);
    expect(stderr).toMatch(/PORT: /);
    expect(stderr).toMatch(/REDIS_URL: must be a URL with scheme redis or rediss/);
    expect(stderr).toMatch(/ADMIN_TOKEN: must be at least 16 characters/);
  }, 30_000);

  it('stops the worker at start, naming the variable', async () => {
    const { code, stderr } = await start('apps/worker/src/main.ts', { BATCH_MAX_SIZE: '500' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/BATCH_MAX_SIZE: /);
  }, 30_000);
});
