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
} from '@predictq/domain';
import { z } from 'zod';

// ---- requests -------------------------------------------------------------------------------

/** The largest PostgreSQL integer (int4): ids of stays and the like. */
export const INT4_MAX = 2_147_483_647;

/** v1 is strict: an unknown field is a 400 that names it (a typo never passes silently). */
export const createPredictionBody = travellerRequestObject
  .strict()
  .superRefine(checkTravellerRequest)
  .meta({ id: 'TravellerRequest' });

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

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

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
    created_at: z.iso.datetime(),
    started_at: z.iso.datetime().nullable(),
    completed_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Prediction' });

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
export type AcceptedBody = z.infer<typeof acceptedSchema>;
export type FeedbackBody = z.infer<typeof feedbackSchema>;
export type CompatResultBody = z.infer<typeof compatResultSchema>;
export type CompatLocationBody = z.infer<typeof compatLocationSchema>;
