import { ConfigError } from '@predictq/config';

import { loadApiConfig } from './config';

describe('the API configuration', () => {
  it('listens on this machine only and closes the operator routes by default', () => {
    const config = loadApiConfig({});
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.ADMIN_TOKEN).toBeUndefined();
    expect(config.ALLOW_OPEN_ADMIN).toBe(false);
    expect(config.METRICS_PORT).toBeUndefined();
  });

  it('allows open operator routes in development only, naming the variable otherwise', () => {
    expect(loadApiConfig({ ALLOW_OPEN_ADMIN: 'true' }).ALLOW_OPEN_ADMIN).toBe(true);
    let error: unknown;
    try {
      loadApiConfig({ ALLOW_OPEN_ADMIN: 'true', NODE_ENV: 'production' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['ALLOW_OPEN_ADMIN']);
    expect((error as ConfigError).message).toMatch(/ALLOW_OPEN_ADMIN: .*NODE_ENV=production/);
  });

  it('refuses a memory limit under which Node cannot start', () => {
    expect(() => loadApiConfig({ MODEL_CHECK_MEMORY_MB: '256' })).toThrow(/MODEL_CHECK_MEMORY_MB/);
  });
});
