// The API contract: the zod schemas the API validates with and the shapes it answers with.
// /openapi.json is generated from these same schemas; clients parse responses with them.
import {
  checkTravellerRequest,
  FEEDBACK_OUTCOMES,
  LOCATION_BOOLEAN_FEATURES,
  LOCATION_FEATURES,
  type LocationBooleanFeature,
  type LocationNumericFeature,
  PREDICTION_STATUSES,
  storableText,
  travellerRequestObject,
  WEBHOOK_EVENTS,
} from '@predictq/domain';
import { z } from 'zod';

// ---- requests -------------------------------------------------------------------------------

/** The largest PostgreSQL integer (int4): ids of stays and the like. */
export const INT4_MAX = 2_147_483_647;

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const IDEMPOTENCY_KEY_PATTERN = IDEMPOTENCY_KEY;

/** Longest deadline a submission may set (cancel_after, Cancel-After). */
export const MAX_CANCEL_AFTER_S = 24 * 3600;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_S = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;

/** A duration as seconds: a number of seconds, or a string such as 500ms, 30s, 5m, 1h. */
export const durationSeconds = z
  .union([
    z.number().positive(),
    z.string().regex(DURATION, 'must be a duration such as 30s, 5m or 1h, or a number of seconds'),
  ])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, amount, unit] = DURATION.exec(value) as unknown as [
      string,
      string,
      keyof typeof UNIT_S,
    ];
    return Number(amount) * UNIT_S[unit];
  })
  .pipe(
    z
      .number()
      .min(1, 'must be at least 1 second')
      .max(MAX_CANCEL_AFTER_S, `must be at most ${MAX_CANCEL_AFTER_S / 3600} hours`),
  );

/** The submission options: how the prediction is delivered and when it gives up. */
export const submissionOptionsShape = {
  webhook: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2048)
    .optional()
    .describe('Called back (signed, Standard Webhooks) on the events of webhook_events_filter.'),
  webhook_events_filter: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1)
    .max(WEBHOOK_EVENTS.length)
    .optional()
    .describe('start: it began processing; completed: it ended (default: completed).'),
  cancel_after: durationSeconds
    .optional()
    .describe('Deadline: still unfinished this long after submission, it ends canceled.'),
};

/**
 * v1 is strict: an unknown field is a 400 that names it (a typo never passes silently). The body
 * is the traveller request (what `input` returns) plus the submission options.
 */
export const createPredictionBody = travellerRequestObject
  .extend(submissionOptionsShape)
  .strict()
  .superRefine(checkTravellerRequest)
  .superRefine((value, ctx) => {
    if (value.webhook_events_filter && value.webhook === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhook_events_filter'],
        message: 'needs a webhook',
      });
    }
  })
  .meta({ id: 'PredictionSubmission' });

/** The submission options' names: the rest of the body is the traveller request. */
export const SUBMISSION_OPTION_FIELDS = Object.keys(
  submissionOptionsShape,
) as (keyof typeof submissionOptionsShape)[];

/**
 * Prefer (RFC 7240): the wait preference in seconds, capped at MAX_WAIT_SECONDS; a bare `wait`
 * means the cap. Preferences it does not understand are ignored, as the RFC asks.
 */
export function preferredWait(header: string | undefined): number | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const [token] = part.split(';');
    const match = /^\s*wait\s*(?:=\s*"?(\d+)"?)?\s*$/i.exec(token ?? '');
    if (!match) continue;
    const seconds = match[1] === undefined ? MAX_WAIT_SECONDS : Number(match[1]);
    return Math.min(seconds, MAX_WAIT_SECONDS);
  }
  return undefined;
}

export const feedbackBody = z
  .strictObject({
    location_id: z
      .number()
      .int()
      .positive()
      .max(INT4_MAX)
      .nullable()
      .describe('The chosen stay (one of the returned ones), or null when none fitted.'),
  })
  .meta({ id: 'FeedbackRequest' });

/** The original system's body: extra fields (such as its `name`) are ignored. */
export const compatStartBody = travellerRequestObject
  .extend({ name: storableText().max(64).optional() })
  .superRefine(checkTravellerRequest)
  .meta({ id: 'CompatInferenceRequest' });

export const compatSelectBody = z
  .object({
    task_id: z.string().min(1),
    location_id: z
      .number()
      .int()
      .min(-1)
      .max(INT4_MAX)
      .describe('-1 records that none of the results fitted.'),
  })
  .meta({ id: 'CompatSelection' });

export const resultsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(10),
});

/** Long polling: wait up to this many seconds for the prediction to end before answering. */
export const MAX_WAIT_SECONDS = 30;

export const waitQuery = z.object({
  wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).default(0),
});

/** Prefer: wait=N (RFC 7240), on submission and on reads. */
export const preferHeader = z.string().max(256).optional().meta({
  description:
    'RFC 7240; wait=N (seconds, at most 30; a bare wait means 30) answers with the finished prediction if it ends in time. Preference-Applied says it was honoured.',
});

export const LIST_MAX_LIMIT = 100;

/** The list's query: page size, an opaque cursor, and filters. */
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(20),
  cursor: z.string().max(200).optional().describe('next_cursor of the previous page (opaque).'),
  status: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const list = v.split(',');
      for (const s of list) {
        if (!(PREDICTION_STATUSES as readonly string[]).includes(s)) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown status ${JSON.stringify(s)}; one of ${PREDICTION_STATUSES.join(', ')}`,
          });
          return z.NEVER;
        }
      }
      return list as (typeof PREDICTION_STATUSES)[number][];
    })
    .meta({ description: 'Comma-separated statuses, e.g. queued,processing.' }),
  created_after: z.iso.datetime({ offset: true }).optional().describe('Created at or after.'),
  created_before: z.iso.datetime({ offset: true }).optional().describe('Created before.'),
  model_version: z.coerce.number().int().positive().max(INT4_MAX).optional(),
  idempotency_key: z.string().regex(IDEMPOTENCY_KEY_PATTERN).optional(),
  batch_id: z
    .uuid({ error: 'must be a batch id (a uuid)' })
    .transform((id) => id.toLowerCase())
    .optional()
    .describe("Only this batch's predictions (a batch the caller cannot see lists none)."),
});

/**
 * Error codes of refusals that happened before anything was stored: a retry is always safe, even
 * of a submission without an Idempotency-Key. They come with Retry-After.
 */
export const NOTHING_STORED_CODES = ['overloaded', 'rate_limited', 'database_busy'] as const;
export type NothingStoredCode = (typeof NOTHING_STORED_CODES)[number];

// ---- responses ------------------------------------------------------------------------------

type LocationFeatureShape = { [K in LocationBooleanFeature]: z.ZodBoolean } & {
  [K in LocationNumericFeature]: z.ZodNumber;
};

/** Every location feature, in the compatible API's order. */
const locationFeatureShape = Object.fromEntries(
  LOCATION_FEATURES.map((k) => [
    k,
    (LOCATION_BOOLEAN_FEATURES as readonly string[]).includes(k) ? z.boolean() : z.number(),
  ]),
) as LocationFeatureShape;

export const locationSchema = z
  .object({ id: z.number().int(), town: z.string(), ...locationFeatureShape })
  .meta({ id: 'Location' });

export const locationListSchema = z
  .object({ locations: z.array(locationSchema), count: z.number().int() })
  .meta({ id: 'LocationList' });

export const rankedStaySchema = z
  .object({
    location_id: z.number().int(),
    score: z.number().describe('Probability that the group picks this stay.'),
    rank: z.number().int().describe('1 = best.'),
    location: locationSchema,
  })
  .meta({ id: 'RankedStay' });

export const acceptedSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(PREDICTION_STATUSES),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'PredictionAccepted' });

export const predictionSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(PREDICTION_STATUSES),
    input: travellerRequestObject,
    output: z
      .object({
        ranking: z.array(rankedStaySchema),
        model: z.object({ id: z.uuid(), version: z.number().int() }),
      })
      .nullable(),
    error: z.string().nullable(),
    webhook: z.string().nullable(),
    webhook_events_filter: z.array(z.enum(WEBHOOK_EVENTS)).nullable(),
    cancel_at: z.iso.datetime().nullable().describe('The deadline set by cancel_after.'),
    created_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    completed_at: z.iso.datetime().nullable(),
    queue: z
      .object({
        ahead: z
          .number()
          .int()
          .min(0)
          .describe(
            'Interactive predictions submitted before it and not finished yet (counted up to 1,000).',
          ),
        ahead_at_least: z.boolean().describe('true when the count stopped at its cap.'),
        eta_seconds: z
          .number()
          .nullable()
          .describe(
            'Estimated seconds until it ends: (ahead + 1) / predictions ended per second over the last minute; null when none ended in that minute.',
          ),
      })
      .optional()
      .describe(
        'Only in GET of a queued prediction submitted alone (a batch row is scored after those).',
      ),
  })
  .meta({ id: 'Prediction' });

/** A prediction in the list: everything but the ranking (listing shows nothing). */
export const predictionSummarySchema = predictionSchema
  .omit({ output: true, queue: true })
  .extend({
    model: z.object({ id: z.uuid(), version: z.number().int() }).nullable(),
    idempotency_key: z.string().nullable(),
  })
  .meta({ id: 'PredictionSummary' });

export const predictionListSchema = z
  .object({
    predictions: z.array(predictionSummarySchema),
    next_cursor: z
      .string()
      .nullable()
      .describe('Pass as cursor for the next page; null at the end.'),
  })
  .meta({ id: 'PredictionList' });

export const webhookAttemptSchema = z
  .object({
    at: z.iso.datetime(),
    status_code: z.number().int().nullable(),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookAttempt' });

export const webhookDeliverySchema = z
  .object({
    id: z.uuid().describe('Also the webhook-id header, the same on every attempt.'),
    event: z.enum(WEBHOOK_EVENTS),
    url: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.iso.datetime(),
    delivered_at: z.iso.datetime().nullable(),
    attempt_log: z.array(webhookAttemptSchema),
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookDeliveryListSchema = z
  .object({ deliveries: z.array(webhookDeliverySchema) })
  .meta({ id: 'WebhookDeliveryList' });

export const feedbackSchema = z
  .object({
    prediction_id: z.uuid(),
    outcome: z.enum(FEEDBACK_OUTCOMES),
    location_id: z.number().int().nullable(),
    rank: z.number().int().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'Feedback' });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })),
    }),
  })
  .meta({ id: 'Error' });

export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.string()),
  })
  .meta({ id: 'Readiness' });

// ---- MLprod-compatible responses ------------------------------------------------------------

export const compatStatusWords = ['PENDING', 'STARTED', 'SUCCESS', 'FAILURE', 'REVOKED'] as const;

export const compatTaskSchema = z
  .object({
    task_id: z.string(),
    status: z.enum(compatStatusWords),
    type: z.enum(['inference', 'training']),
  })
  .meta({ id: 'CompatTaskStatus' });

/** The original system's answer (HTTP 500) for a failed task. */
export const compatTaskFailedSchema = z
  .object({ detail: z.literal('Task failed') })
  .meta({ id: 'CompatTaskFailed' });

export const compatResultSchema = z
  .object({ location_id: z.number().int(), score: z.number(), ...locationFeatureShape })
  .meta({ id: 'CompatResult' });

export const compatSelectedSchema = compatResultSchema
  .extend({ task_id: z.string(), rank: z.number().int(), label: z.literal(1) })
  .meta({ id: 'CompatSelected' });

/** The selection's answer: the updated result, or null for -1 (none fitted). */
export const compatSelectionResultSchema = compatSelectedSchema
  .nullable()
  .meta({ id: 'CompatSelectionResult' });

export const compatResultListSchema = z.array(compatResultSchema).meta({ id: 'CompatResultList' });

export const compatLocationSchema = z
  .object({ location_id: z.number().int(), ...locationFeatureShape })
  .meta({ id: 'CompatLocation' });

export const compatLocationListSchema = z
  .array(compatLocationSchema)
  .meta({ id: 'CompatLocationList' });

export const contentInfoSchema = z
  .object({ locations: z.number().int(), users: z.number().int() })
  .meta({ id: 'ContentInfo' });

export type LocationBody = z.infer<typeof locationSchema>;
export type PredictionBody = z.infer<typeof predictionSchema>;
export type PredictionSummaryBody = z.infer<typeof predictionSummarySchema>;
export type WebhookDeliveryBody = z.infer<typeof webhookDeliverySchema>;
export type AcceptedBody = z.infer<typeof acceptedSchema>;
export type FeedbackBody = z.infer<typeof feedbackSchema>;
export type CompatResultBody = z.infer<typeof compatResultSchema>;
export type CompatLocationBody = z.infer<typeof compatLocationSchema>;
