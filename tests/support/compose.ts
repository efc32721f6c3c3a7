// The Docker Compose files read as Compose reads them (YAML with merge keys, ${VAR} interpolation),
// and the sections of .env.example, for the deployment tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv as parseDotenv } from 'node:util';

import { parse } from 'yaml';

import { ROOT } from './env';

export const COMPOSE_FILES = ['docker/docker-compose.yaml', 'extra/docker-compose.traefik.yaml'];
export const DEPLOYMENT_HEADER = '# ---- deployment (Docker Compose) ----';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  labels?: Record<string, string>;
  networks?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  container_name?: string;
  deploy?: { replicas?: string | number };
  [key: string]: unknown;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, { external?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

export function readRepoFile(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** The parsed file, before interpolation. */
export function loadCompose(file: string): ComposeFile {
  return parse(readRepoFile(file), { merge: true }) as ComposeFile;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      strings(item, out);
    }
  }
  return out;
}

/** Names of the variables a Compose file interpolates (${VAR...} or $VAR; $$ is a literal $). */
export function composeVariables(file: string): Set<string> {
  const names = new Set<string>();
  for (const text of strings(loadCompose(file))) {
    const unescaped = text.replace(/\$\$/g, '');
    for (const match of unescaped.matchAll(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    )) {
      names.add((match[1] ?? match[2])!);
    }
  }
  return names;
}

function interpolateString(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const value = env[name];
      const set = operator?.startsWith(':')
        ? value !== undefined && value !== ''
        : value !== undefined;
      switch (operator?.replace(':', '')) {
        case '-':
          return set ? value! : argument!;
        case '?':
          if (!set) throw new Error(`required variable ${name} is missing: ${argument}`);
          return value!;
        case '+':
          return set ? argument! : '';
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateValue(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateValue(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [interpolateString(k, env), interpolateValue(v, env)]),
    );
  }
  return value;
}

/** The file as Compose sees it with `env` as docker/.env (missing required values throw). */
export function resolveCompose(file: string, env: Record<string, string>): ComposeFile {
  return interpolateValue(loadCompose(file), env) as ComposeFile;
}

/** .env.example's variables: the apps' (before the deployment header) and the deployment's. */
export function envExampleSections(): {
  app: Record<string, string>;
  deployment: Record<string, string>;
} {
  const text = readRepoFile('.env.example');
  const lines = text.split('\n');
  const header = lines.findIndex((line) => line.startsWith(DEPLOYMENT_HEADER));
  if (header < 0) throw new Error(`.env.example has no "${DEPLOYMENT_HEADER}" section`);
  return {
    app: parseDotenv(lines.slice(0, header).join('\n')) as Record<string, string>,
    deployment: parseDotenv(lines.slice(header).join('\n')) as Record<string, string>,
  };
}
