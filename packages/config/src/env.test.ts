import { z } from 'zod';

import { commonEnvSchema } from './common';
import { boolean, ConfigError, parseEnv, port } from './env';

describe('parseEnv', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = parseEnv(commonEnvSchema, {});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/predictq');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.QUEUE_PREFIX).toBe('predictq');
    expect(config.MODEL_DIR).toBe('./var/models');
    expect(config.HEAP_GROWING_PERCENT).toBe(100);
  });

  it('takes a Redis over TCP, TLS or its Unix-domain socket', () => {
    for (const url of ['redis://r:6379', 'rediss://r:6380', 'unix:///run/redis/redis.sock?db=2']) {
      expect(parseEnv(commonEnvSchema, { REDIS_URL: url }).REDIS_URL).toBe(url);
    }
  });

  it('treats an empty variable as unset', () => {
    expect(parseEnv(commonEnvSchema, { QUEUE_PREFIX: '' }).QUEUE_PREFIX).toBe('predictq');
  });

  it('names every bad variable and the reason', () => {
    const schema = z.object({ PORT: port(8000), REDIS_URL: commonEnvSchema.shape.REDIS_URL });
    let error: unknown;
    try {
      parseEnv(schema, { PORT: 'eighty', REDIS_URL: 'http://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['PORT', 'REDIS_URL']);
    expect((error as ConfigError).message).toMatch(/REDIS_URL: must be a URL with scheme redis/);
  });

  it('parses booleans strictly', () => {
    const schema = z.object({ FLAG: boolean(false) });
    expect(parseEnv(schema, { FLAG: 'yes' }).FLAG).toBe(true);
    expect(parseEnv(schema, {}).FLAG).toBe(false);
    expect(() => parseEnv(schema, { FLAG: 'maybe' })).toThrow(/FLAG/);
  });
});
