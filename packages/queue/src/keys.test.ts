import { commonEnvSchema, ConfigError, parseEnv } from '@predictq/config';

import { hasHashTag, queuePrefix } from './keys';

describe('queue key prefixes', () => {
  it('gives each queue its own hash tag when QUEUE_PREFIX has none', () => {
    expect(queuePrefix('predictq', 'inference')).toBe('predictq:{inference}');
    expect(queuePrefix('predictq', 'training')).toBe('predictq:{training}');
  });

  it('keeps a QUEUE_PREFIX that carries a hash tag, so every queue shares its slot', () => {
    expect(queuePrefix('{predictq}', 'inference')).toBe('{predictq}');
    expect(queuePrefix('app:{pq}', 'training')).toBe('app:{pq}');
  });

  it('does not count empty braces as a hash tag (Redis hashes the whole key then)', () => {
    expect(hasHashTag('predictq{}')).toBe(false);
    expect(hasHashTag('{x}')).toBe(true);
  });

  it('accepts one hash tag in QUEUE_PREFIX and refuses broken braces, naming the variable', () => {
    expect(parseEnv(commonEnvSchema, { QUEUE_PREFIX: '{predictq}' }).QUEUE_PREFIX).toBe(
      '{predictq}',
    );
    for (const bad of ['{predictq', 'a{}b', '{a}{b}', 'pre}fix']) {
      expect(() => parseEnv(commonEnvSchema, { QUEUE_PREFIX: bad })).toThrow(ConfigError);
    }
  });
});
