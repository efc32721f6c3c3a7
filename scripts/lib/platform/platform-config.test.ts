import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { PlatformSpec } from './platform';
import { collectEnv, expandEnv, mergeConfig, parsePlatformConfig } from './platform-config';

describe('parsePlatformConfig', () => {
  it('reads lower-case options and UPPER_CASE environment variables', () => {
    expect(
      parsePlatformConfig('  workers=2 apis=3   DATABASE_POOL_SIZE=20 LOG_LEVEL=warn '),
    ).toEqual({
      workers: 2,
      apis: 3,
      env: { DATABASE_POOL_SIZE: '20', LOG_LEVEL: 'warn' },
    });
    expect(parsePlatformConfig('')).toEqual({ env: {} });
  });

  it('reads which Redis the platform uses', () => {
    expect(parsePlatformConfig('redis=socket')).toEqual({ redis: 'socket', env: {} });
    expect(parsePlatformConfig('redis=tcp workers=2').redis).toBe('tcp');
    expect(() => parsePlatformConfig('redis=cluster')).toThrow(/redis= takes shared, tcp, socket/);
    const base: PlatformSpec = { workers: 1, apis: 1, fill: 0, env: {} };
    expect(mergeConfig(base, parsePlatformConfig('redis=socket')).redis).toBe('socket');
    expect(mergeConfig({ ...base, redis: 'tcp' as const }, { env: {} }).redis).toBe('tcp');
  });

  it('keeps everything after the first = as the value', () => {
    expect(parsePlatformConfig('DATABASE_URL=postgres:///{database}?host=/run/x').env).toEqual({
      DATABASE_URL: 'postgres:///{database}?host=/run/x',
    });
  });

  it('refuses unknown options, lower-case variables and bad counts, naming the word', () => {
    expect(() => parsePlatformConfig('threads=2')).toThrow(/"threads=2"/);
    expect(() => parsePlatformConfig('database_pool_size=2')).toThrow(/database_pool_size/);
    expect(() => parsePlatformConfig('WORKERS')).toThrow(/"WORKERS"/);
    expect(() => parsePlatformConfig('workers=0')).toThrow(/workers= takes/);
    expect(() => parsePlatformConfig('workers=two')).toThrow(/workers= takes/);
    expect(() => parsePlatformConfig('fill=-1')).toThrow(/fill= takes a whole number from 0/);
  });

  it('takes build=<dir> of another build, and refuses a folder without one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'predictq-build-'));
    mkdirSync(path.join(dir, 'apps', 'api', 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'apps', 'api', 'src', 'main.js'), '');
    expect(parsePlatformConfig(`build=${dir} workers=2`)).toEqual({
      build: dir,
      workers: 2,
      env: {},
    });
    expect(() => parsePlatformConfig(`build=${os.tmpdir()}`)).toThrow(/no build there/);
    rmSync(dir, { recursive: true });
  });
});

describe('collectEnv and mergeConfig', () => {
  it('collects repeated --env words, the later winning', () => {
    expect(collectEnv('B=2', collectEnv('A=1', collectEnv('B=1')))).toEqual({ A: '1', B: '2' });
    expect(() => collectEnv('lower=1')).toThrow(/UPPER_CASE/);
  });

  it('lays a configuration over the base options', () => {
    const base = { workers: 1, apis: 1, fill: 0, env: { A: '1', B: '1' } };
    expect(mergeConfig(base, parsePlatformConfig('workers=2 B=2'))).toEqual({
      workers: 2,
      apis: 1,
      fill: 0,
      env: { A: '1', B: '2' },
    });
    expect(mergeConfig(base, parsePlatformConfig('fill=1000')).fill).toBe(1000);
  });

  it('names the fresh database in env values', () => {
    expect(expandEnv({ DATABASE_URL: 'postgres:///{database}' }, 'predictq_bench_1')).toEqual({
      DATABASE_URL: 'postgres:///predictq_bench_1',
    });
  });
});
