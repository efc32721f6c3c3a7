// Environment parsing: every process parses its variables once at boot with a zod schema and
// stops with a message that names each bad variable and why.
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; empty strings count as unset, so defaults apply. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const present: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') present[key] = value;
  }
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: issue.path.join('.') || '(environment)',
        reason: issue.message,
      })),
    );
  }
  return result.data;
}

// Field builders shared by the apps' schemas: environment variables are strings.

export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65535).default(fallback);

export const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

export const nonNegativeInt = (fallback: number) =>
  z.coerce.number().int().min(0).default(fallback);

export const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

export const ratio = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

export const url = (protocols: readonly string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `must be a URL with scheme ${protocols.join(' or ')}` },
    );

export const boolean = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
