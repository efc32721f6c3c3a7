// One micro-batch of prediction jobs: claim them (status processing), rank them, store every
// ranking and mark them succeeded in one transaction. Per-prediction problems stay per
// prediction; a failure of the batch's I/O fails the batch, and BullMQ retries each job.
import { type Db, getPrediction, insertShadowRankings, requestOf } from '@predictq/db';
import { isTerminal, travellerRequestSchema } from '@predictq/domain';
import { claimPredictions, completePredictions } from '@predictq/predictions';

import type { Settled } from './micro-batcher';
import type { Ranker, Ranking, RankRequest } from './ranker';

/** A problem that retrying cannot fix (bad stored input, unknown prediction). */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

export type JobOutcome =
  | { kind: 'succeeded'; modelId: string; modelVersion: number; topScore: number }
  /** The prediction had already ended (a duplicate delivery): nothing to do. */
  | { kind: 'skipped'; status: string };

export interface BatchTimings {
  scoreMs: number;
  persistMs: number;
  size: number;
}

export interface PipelineHooks {
  onTimings?: (timings: BatchTimings) => void;
  /** Sees the claimed requests before they are scored (a failpoint of the fault tests). */
  beforeRank?: (requests: readonly RankRequest[]) => Promise<void> | void;
  /** After the shadow model scored its sample of a batch: how many, or why it could not. */
  onShadow?: (report: { modelId: string; scored: number; error?: unknown }) => void;
}

export class InferencePipeline {
  constructor(
    private readonly db: Db,
    private readonly ranker: Ranker,
    private readonly hooks: PipelineHooks = {},
  ) {}

  async process(predictionIds: readonly string[]): Promise<Settled<JobOutcome>[]> {
    const results = new Map<string, Settled<JobOutcome>>();
    const claimed = await claimPredictions(this.db, predictionIds);
    const claimedIds = new Set(claimed.map((row) => row.id));

    for (const id of predictionIds) {
      if (claimedIds.has(id) || results.has(id)) continue;
      const row = await getPrediction(this.db, id);
      // Past its deadline it is not claimed: the deadline loop ends it canceled.
      const overdue =
        row?.cancel_at !== undefined &&
        row.cancel_at !== null &&
        row.cancel_at.getTime() <= Date.now() + 1_000;
      results.set(
        id,
        row && (isTerminal(row.status) || overdue)
          ? { ok: true, value: { kind: 'skipped', status: overdue ? 'overdue' : row.status } }
          : { ok: false, error: new PermanentError(`prediction ${id} does not exist`) },
      );
    }

    const toRank: RankRequest[] = [];
    for (const row of claimed) {
      const request = requestOf(row);
      const valid = travellerRequestSchema.safeParse(request);
      if (valid.success) toRank.push({ predictionId: row.id, request });
      else {
        const fields = valid.error.issues.map((i) => i.path.join('.')).join(', ');
        results.set(row.id, {
          ok: false,
          error: new PermanentError(`stored request is invalid (${fields})`),
        });
      }
    }

    await this.hooks.beforeRank?.(toRank);
    const scoring = performance.now();
    const rankings = await this.ranker.rank(toRank);
    const persisting = performance.now();
    const ranked: { predictionId: string; ranking: Ranking }[] = [];
    for (let i = 0; i < toRank.length; i++) {
      const ranking = rankings[i];
      const { predictionId } = toRank[i] as RankRequest;
      if (!ranking) continue;
      if (!ranking.ok) results.set(predictionId, ranking);
      else ranked.push({ predictionId, ranking: ranking.value });
    }
    const completed = new Set(
      await completePredictions(
        this.db,
        ranked.map(({ predictionId, ranking }) => ({
          predictionId,
          modelId: ranking.modelId,
          ranking: ranking.stays,
        })),
      ),
    );
    for (const { predictionId, ranking } of ranked) {
      results.set(
        predictionId,
        completed.has(predictionId)
          ? {
              ok: true,
              value: {
                kind: 'succeeded',
                modelId: ranking.modelId,
                modelVersion: ranking.modelVersion,
                topScore: ranking.stays[0]?.score ?? 0,
              },
            }
          : { ok: true, value: { kind: 'skipped', status: 'ended meanwhile' } },
      );
    }
    this.hooks.onTimings?.({
      scoreMs: persisting - scoring,
      persistMs: performance.now() - persisting,
      size: toRank.length,
    });
    await this.shadow(toRank.filter((r) => completed.has(r.predictionId)));
    return predictionIds.map(
      (id) => results.get(id) ?? { ok: false, error: new Error(`no outcome for ${id}`) },
    );
  }

  /**
   * The shadow model scores its sample of the predictions just completed, and its rankings go to
   * their own table. After the completion, so the client's ranking and its timing are already
   * settled; and nothing of it can fail a prediction: a failure is reported and dropped.
   */
  private async shadow(completed: readonly RankRequest[]): Promise<void> {
    const shadow = this.ranker.shadowModelId;
    if (completed.length === 0 || shadow === undefined) return;
    try {
      const rankings = await this.ranker.rankShadow(completed);
      const failed = rankings.find((r) => !r.ranking.ok)?.ranking;
      if (failed && !failed.ok) throw failed.error;
      await insertShadowRankings(
        this.db,
        rankings.flatMap(({ predictionId, ranking }) =>
          ranking.ok
            ? [{ predictionId, modelId: ranking.value.modelId, stays: ranking.value.stays }]
            : [],
        ),
      );
      this.hooks.onShadow?.({ modelId: shadow, scored: rankings.length });
    } catch (error) {
      this.hooks.onShadow?.({ modelId: shadow, scored: 0, error });
    }
  }
}
