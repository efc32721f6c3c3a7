// The API's environment: the shared variables plus its own.
import {
  boolean,
  commonEnvShape,
  driftEnvShape,
  nonNegativeInt,
  parseEnv,
  port,
  positiveInt,
  type Env,
} from '@predictq/config';
import { z } from 'zod';

const size = (fallback: string, example: string) =>
  z
    .string()
    .regex(/^\d+(b|kb|mb)$/, `a size such as ${example}`)
    .default(fallback);

export const apiEnvSchema = z
  .object({
    ...commonEnvShape,
    ...driftEnvShape,
    /** TCP port of the HTTP API. */
    PORT: port(8000),
    /** Interface the API listens on: this machine only by default (containers set 0.0.0.0). */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Largest accepted request body (e.g. 32kb); larger ones get 413. */
    BODY_LIMIT: size('32kb', '32kb'),
    /** Reverse proxies (Traefik) in front of the API whose X-Forwarded-* headers are trusted. */
    TRUST_PROXY_HOPS: nonNegativeInt(0),
    /**
     * Bearer token of the operator routes (train, activate, traffic split, upload, clients).
     * Unset: those routes answer 401, unless ALLOW_OPEN_ADMIN.
     */
    ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Development only: without ADMIN_TOKEN, leave the operator routes open to anyone. */
    ALLOW_OPEN_ADMIN: boolean(false),
    /** Largest batch file (bytes) POST /v1/batches accepts; larger ones get 413, storing nothing. */
    BATCH_MAX_BYTES: positiveInt(256 * 1024 * 1024),
    /** Most data rows of a batch file; more get 413, storing nothing. */
    BATCH_MAX_ROWS: positiveInt(1_000_000),
    /** Most predictions of one batch in the queue at once (the feeder's window). */
    BATCH_WINDOW: positiveInt(500),
    /** Stays per row in a batch's results (location_1..K, score_1..K). */
    BATCH_RESULTS_TOP_K: positiveInt(10),
    /** Largest accepted model upload (the JSON body with the base64 ONNX file). */
    MODEL_UPLOAD_LIMIT: size('50mb', '50mb'),
    /** Memory (address space) an uploaded model's check may use, in MiB, and its time limit. */
    MODEL_CHECK_MEMORY_MB: z.coerce.number().int().min(1024).default(2048),
    MODEL_CHECK_TIMEOUT_MS: positiveInt(30_000),
    /** v1 routes need a client key (Authorization: Bearer pq_...); else callers are anonymous. */
    REQUIRE_API_KEY: boolean(false),
    /** The MLprod-compatible routes need a client key too (their original clients send none). */
    COMPAT_REQUIRE_API_KEY: boolean(false),
    /** How long a key lookup is cached in the process: a revocation takes effect within it. */
    API_KEY_CACHE_TTL_MS: positiveInt(10_000),
    /** Requests per client in each rate-limit window (a client may have its own); 0: no limit. */
    RATE_LIMIT_MAX: nonNegativeInt(30_000),
    /** The rate-limit window. */
    RATE_LIMIT_WINDOW_MS: positiveInt(10_000),
    /** Submissions one API process handles at once; more are refused (503); 0: no limit. */
    ADMISSION_MAX_IN_FLIGHT: nonNegativeInt(128),
    /** New submissions are refused (503) past this many waiting jobs; 0: no limit. */
    ADMISSION_MAX_WAITING: nonNegativeInt(2_000),
    /** ... or once the oldest waiting job has waited this long; 0: no limit. */
    ADMISSION_MAX_WAIT_MS: nonNegativeInt(5_000),
    /** How often the API samples the inference backlog (one Redis round trip). */
    ADMISSION_SAMPLE_INTERVAL_MS: positiveInt(250),
    /** Shortest Retry-After (seconds) of a refusal for overload. */
    ADMISSION_RETRY_AFTER_S: positiveInt(1),
    /**
     * Refused clients are spread (a longer Retry-After, up to 30 s) so that about this many a
     * second come back to each API process: answering refusals must not crowd out the work.
     */
    ADMISSION_REFUSAL_PACE: positiveInt(100),
    /** Requests refused (503) at once while this many already wait for a database connection. */
    DATABASE_MAX_WAITING: nonNegativeInt(128),
    /** Event streams (SSE) one API process keeps open at most; past it a new one gets 503. */
    SSE_MAX_STREAMS: positiveInt(1_000),
    /** A comment is sent on an idle event stream this often, so proxies keep it open. */
    SSE_HEARTBEAT_MS: positiveInt(15_000),
    /** Serve /metrics only on this separate port (kept off the public one); unset: on PORT. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    /** Longest a client may take to send a request's headers. */
    HTTP_HEADERS_TIMEOUT_MS: positiveInt(10_000),
    /** Longest a client may take to send a request body (model uploads excepted). */
    HTTP_REQUEST_TIMEOUT_MS: positiveInt(10_000),
    /** Longest a client may take to send a model upload. */
    HTTP_UPLOAD_TIMEOUT_MS: positiveInt(1_800_000),
    /** Idle keep-alive connections close after this; above a proxy's idle timeout. */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: positiveInt(65_000),
  })
  .superRefine((config, ctx) => {
    if (config.ALLOW_OPEN_ADMIN && config.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['ALLOW_OPEN_ADMIN'],
        message: 'open operator routes are refused when NODE_ENV=production',
      });
    }
  });

export type ApiConfig = z.infer<typeof apiEnvSchema>;

export function loadApiConfig(env: Env = process.env): ApiConfig {
  return parseEnv(apiEnvSchema, env);
}
