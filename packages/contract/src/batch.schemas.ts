// The batch operations' schemas: a batch as its progress shows it, a page of batches, the results
// query. The upload itself is CSV (or TSV), not JSON: see the operation's rawBody.
import { BATCH_STATUSES, PREDICTION_STATUSES } from '@predictq/domain';
import { z } from 'zod';

const count = z.number().int().min(0);

export const batchSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(BATCH_STATUSES),
    format: z.enum(['csv', 'tsv']),
    rows: z.object({ total: count, accepted: count, rejected: count }),
    counts: z.object({
      ...Object.fromEntries(PREDICTION_STATUSES.map((s) => [s, count])),
      rejected: count,
    } as Record<(typeof PREDICTION_STATUSES)[number] | 'rejected', typeof count>),
    progress: z.number().min(0).max(1),
    rows_per_second: z.number().nullable(),
    eta_seconds: z.number().nullable(),
    results_url: z.string(),
    created_at: z.iso.datetime(),
    completed_at: z.iso.datetime().nullable(),
    canceled_at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Batch' });

export const batchListSchema = z
  .object({ batches: z.array(batchSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'BatchList' });

export const batchListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional(),
  status: z.enum(BATCH_STATUSES).optional(),
});

export const batchResultsQuery = z.object({
  format: z.enum(['csv', 'jsonl']).default('csv'),
});

/** The results of a batch: what a CSV row or a JSON line carries. */
export const batchResultRowSchema = z
  .object({
    row: count,
    request_id: z.string().nullable(),
    prediction_id: z.uuid().nullable(),
    status: z.enum([...PREDICTION_STATUSES, 'rejected']),
    model_version: z.number().int().nullable(),
    error: z.string().nullable(),
    ranking: z.array(z.object({ location_id: z.number().int(), score: z.number() })).nullable(),
  })
  .meta({ id: 'BatchResultRow' });

/** What POST /v1/batches/{id}/feedback recorded, and each line it refused. */
export const batchFeedbackReportSchema = z
  .object({
    batch_id: z.uuid(),
    rows: z.object({ total: count, recorded: count, rejected: count }),
    errors: z
      .array(
        z.object({
          row: count.describe("The line's data row in the feedback file (the header is row 0)."),
          field: z.string(),
          reason: z.string(),
        }),
      )
      .describe('The refused lines, the first 1,000 of them (rows.rejected counts them all).'),
  })
  .meta({ id: 'BatchFeedbackReport' });

export type BatchBody = z.infer<typeof batchSchema>;
export type BatchFeedbackReportBody = z.infer<typeof batchFeedbackReportSchema>;
