// The API's environment: the shared variables plus its own.
import { commonEnvShape, nonNegativeInt, parseEnv, port, type Env } from '@predictq/config';
import { z } from 'zod';

export const apiEnvSchema = z.object({
  ...commonEnvShape,
  /** TCP port of the HTTP API. */
  PORT: port(8000),
  /** Interface the API listens on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Largest accepted request body (e.g. 32kb); larger ones get 413. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'a size such as 32kb')
    .default('32kb'),
  /** Reverse proxies (Traefik) in front of the API whose X-Forwarded-* headers are trusted. */
  TRUST_PROXY_HOPS: nonNegativeInt(0),
  /**
   * Bearer token of the operator routes (train, activate, traffic split, upload). Unset: those
   * routes refuse to start in production and are open (with a warning) in development.
   */
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Largest accepted model upload (the JSON body with the base64 ONNX file). */
  MODEL_UPLOAD_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'a size such as 50mb')
    .default('50mb'),
});

export type ApiConfig = z.infer<typeof apiEnvSchema>;

export function loadApiConfig(env: Env = process.env): ApiConfig {
  return parseEnv(apiEnvSchema, env);
}
