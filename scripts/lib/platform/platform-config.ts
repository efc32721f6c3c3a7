// The syntax of a platform configuration, as --compare takes it and --env builds it:
// whitespace-separated KEY=VALUE words, lower-case keys for the platform's own options
// (workers=2, apis=2, fill=1000000) and UPPER_CASE keys for environment variables of its processes
// (DATABASE_POOL_SIZE=20), and build=<dir> for another build of the platform (before/after a change:
// a dist/ made from another commit, inside a folder whose parents hold node_modules). An env value may name the fresh database as {database}, e.g. for a
// Unix socket DATABASE_URL=postgresql://postgres@localhost/{database}?host=/var/run/postgresql
// (the host parameter wins over the URL's host; a URL without a host does not parse).
// redis=tcp or redis=socket gives the platform a redis-server of its own for the run, reached
// over TCP or over its Unix-domain socket (the machine's shared Redis has no socket); redis=shared,
// the default, is the workspace's Redis.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { InvalidArgumentError } from 'commander';

export interface PlatformConfig {
  workers?: number;
  apis?: number;
  /** Predictions stored before the processes start. */
  fill?: number;
  /** Another build to run (a dist/ made from another commit); the invocation's own by default. */
  build?: string;
  /** Which Redis the platform uses; the workspace's shared one by default. */
  redis?: RedisChoice;
  env: Record<string, string>;
}

export const REDIS_CHOICES = ['shared', 'tcp', 'socket'] as const;
export type RedisChoice = (typeof REDIS_CHOICES)[number];

export function parseRedisChoice(value: string): RedisChoice {
  if (!(REDIS_CHOICES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`redis= takes ${REDIS_CHOICES.join(', ')}`);
  }
  return value as RedisChoice;
}

/** Each option's range. */
const OPTION_RANGES = { workers: [1, 16], apis: [1, 16], fill: [0, 100_000_000] } as const;
type OptionKey = keyof typeof OPTION_RANGES;
const ENV_KEY = /^[A-Z][A-Z0-9_]*$/;

function count(key: OptionKey, value: string): number {
  const n = Number(value);
  const [min, max] = OPTION_RANGES[key];
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new InvalidArgumentError(`${key}= takes a whole number from ${min} to ${max}`);
  }
  return n;
}

/** One KEY=VALUE word, for --env (UPPER_CASE keys only). */
export function parseEnvAssignment(word: string): [string, string] {
  const at = word.indexOf('=');
  const key = at < 0 ? word : word.slice(0, at);
  if (at < 0 || !ENV_KEY.test(key)) {
    throw new InvalidArgumentError(`expected KEY=VALUE with an UPPER_CASE key, got "${word}"`);
  }
  return [key, word.slice(at + 1)];
}

/** commander's collector of a repeatable --env KEY=VALUE. */
export function collectEnv(word: string, previous: Record<string, string> = {}) {
  const [key, value] = parseEnvAssignment(word);
  return { ...previous, [key]: value };
}

/** Parses "workers=2 DATABASE_POOL_SIZE=20"; an empty string is the base configuration. */
export function parsePlatformConfig(text: string): PlatformConfig {
  const config: PlatformConfig = { env: {} };
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const at = word.indexOf('=');
    const key = at < 0 ? word : word.slice(0, at);
    if (key === 'build' && at > 0 && word.length > at + 1) {
      config.build = path.resolve(word.slice(at + 1));
      if (!existsSync(path.join(config.build, 'apps', 'api', 'src', 'main.js'))) {
        throw new InvalidArgumentError(`build=${config.build}: no build there (npm run build)`);
      }
    } else if (key === 'redis' && at > 0) {
      config.redis = parseRedisChoice(word.slice(at + 1));
    } else if (key in OPTION_RANGES) {
      config[key as OptionKey] = count(key as OptionKey, word.slice(at + 1));
    } else if (ENV_KEY.test(key) && at > 0) {
      config.env[key] = word.slice(at + 1);
    } else {
      throw new InvalidArgumentError(
        `"${word}": expected ${Object.keys(OPTION_RANGES)
          .map((k) => `${k}=N`)
          .join(', ')}, redis=${REDIS_CHOICES.join('|')}, build=<dir> or ENV_VAR=value`,
      );
    }
  }
  return config;
}

/** `override` on top of `base`: its options win, its env variables are added or replace. */
export function mergeConfig<
  T extends Required<Omit<PlatformConfig, 'build' | 'redis'>> &
    Pick<PlatformConfig, 'build' | 'redis'>,
>(base: T, override: PlatformConfig): T {
  return {
    ...base,
    workers: override.workers ?? base.workers,
    apis: override.apis ?? base.apis,
    fill: override.fill ?? base.fill,
    ...(override.build === undefined ? {} : { build: override.build }),
    ...(override.redis === undefined ? {} : { redis: override.redis }),
    env: { ...base.env, ...override.env },
  };
}

/** Replaces {database} in the env values with the fresh database's name. */
export function expandEnv(env: Record<string, string>, database: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value.replaceAll('{database}', database)]),
  );
}
