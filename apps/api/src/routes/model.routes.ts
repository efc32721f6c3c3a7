// The model registry: list, inspect, online quality, and the operator routes to promote or roll
// back, split traffic for a canary, and upload an external ONNX model.
import type { ModelBody, QualityBody, uploadBody } from '@predictq/contract';
import { trafficShares } from '@predictq/domain';
import {
  type Db,
  getActiveModel,
  getModel,
  getRunningRollout,
  lineageSummary,
  listModels,
  type ModelSummary,
  modelQuality,
  registerModel,
  TrafficSplitError,
} from '@predictq/db';
import {
  checkModelIsolated,
  type ModelCheckOptions,
  type ModelManifest,
  modelManifestSchema,
  sha256Hex,
} from '@predictq/model';
import {
  activateSuperseding,
  RolloutConflict,
  setManualTraffic,
  wilsonInterval,
} from '@predictq/rollout';
import type { z } from 'zod';

import { HttpError, notFound, validationError } from '../http/errors';
import type { Handlers } from '../http/mount';

export interface ModelRouteDeps {
  db: Db;
  /** Limits of the child process that loads an upload once. */
  modelCheck: ModelCheckOptions;
}

async function presentModel(db: Db, model: ModelSummary, withLineage: boolean): Promise<ModelBody> {
  const manifest = model.manifest as Partial<ModelManifest>;
  let lineage: ModelBody['lineage'] = null;
  if (withLineage && model.training_run_id) {
    lineage = {
      training_run_id: model.training_run_id,
      rows: await lineageSummary(db, model.training_run_id),
    };
  }
  return {
    id: model.id,
    version: model.version,
    name: model.name,
    status: model.status,
    source: model.source,
    sha256: model.sha256,
    artifact_path: model.artifact_path,
    traffic_weight: model.traffic_weight,
    features: manifest.features ?? [],
    metrics: (model.metrics as Record<string, unknown> | null) ?? null,
    lineage,
    created_at: model.created_at.toISOString(),
    activated_at: model.activated_at?.toISOString() ?? null,
  };
}

const WINDOW_UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function windowStart(window: string): Date | null {
  if (window === 'all') return null;
  const unit = window.at(-1) as keyof typeof WINDOW_UNITS_MS;
  return new Date(Date.now() - Number(window.slice(0, -1)) * WINDOW_UNITS_MS[unit]);
}

/** Validates an uploaded model: a valid manifest, matching bytes, and it loads in ONNX Runtime. */
async function checkUpload(
  body: z.infer<typeof uploadBody>,
  limits: ModelCheckOptions,
): Promise<{ bytes: Buffer; manifest: ModelManifest }> {
  const parsed = modelManifestSchema.safeParse(body.manifest);
  if (!parsed.success) {
    const error = validationError(parsed.error, 'manifest');
    error.details.forEach((d) => (d.field = `manifest.${d.field}`));
    throw error;
  }
  const manifest = parsed.data;
  const bytes = Buffer.from(body.onnx_base64, 'base64');
  if (sha256Hex(bytes) !== manifest.sha256) {
    throw new HttpError(
      422,
      'sha256_mismatch',
      'the model bytes do not match the manifest sha256',
      [{ field: 'manifest.sha256', message: `the bytes have sha256 ${sha256Hex(bytes)}` }],
    );
  }
  // The API scores nothing: a child process loads the upload once (a dry run on one zero row),
  // under a memory limit and a deadline, to refuse a model that workers could not load. A
  // hostile file can crash that child, never the API.
  const check = await checkModelIsolated(bytes, manifest, limits);
  if (!check.ok) {
    throw new HttpError(422, 'model_invalid', check.reason, [
      { field: 'onnx_base64', message: 'does not load in ONNX Runtime as the manifest describes' },
    ]);
  }
  return { bytes, manifest };
}

type Comparison = NonNullable<QualityBody['comparison']>;
type Compared = Comparison['active'];

interface OfflineFigures {
  effective_predictions: number;
  chosen: number;
  mrr: number | null;
  hit_at_3: number | null;
  log_loss: number | null;
}

function offlineOf(figures: OfflineFigures | null | undefined): Compared['offline'] {
  if (!figures) return null;
  // hit@3 is a share of the chosen stays; its interval rests on the effective count of them.
  const n = Math.min(figures.chosen, figures.effective_predictions);
  return {
    predictions: figures.effective_predictions,
    mrr: figures.mrr,
    hit_at_3: figures.hit_at_3,
    hit_at_3_interval:
      figures.hit_at_3 === null ? null : wilsonInterval(figures.hit_at_3 * n, Math.max(1, n)),
    log_loss: figures.log_loss,
  };
}

/**
 * The active model and a candidate side by side over one window: this model and the active
 * one, or, for the active model, the running rollout's candidate. Offline figures come from the
 * candidate's stored evaluation, which scored both models on the same holdout.
 */
async function compareWithActive(
  db: Db,
  model: ModelSummary,
  window: string,
  since: Date | null,
): Promise<Comparison | null> {
  let active: ModelSummary | undefined;
  let candidate: ModelSummary | undefined;
  if (model.status === 'active') {
    active = model;
    const running = await getRunningRollout(db);
    candidate = running ? await getModel(db, running.model_id) : undefined;
  } else {
    candidate = model;
    active = await getActiveModel(db);
  }
  if (!active || !candidate) return null;
  const evaluation = (
    candidate.metrics as {
      evaluation?: {
        active?: { modelId?: string } | null;
        overall?: { candidate?: OfflineFigures; active?: OfflineFigures | null };
      };
    } | null
  )?.evaluation;
  const sameActive = evaluation?.active?.modelId === active.id;
  const side = async (m: ModelSummary, offline: OfflineFigures | null | undefined) => {
    const q = await modelQuality(db, m.id, since);
    return {
      model_id: m.id,
      version: m.version,
      status: m.status,
      online: {
        predictions: q.predictions,
        feedback: q.feedback,
        chosen: q.chosen,
        acceptance: q.feedback === 0 ? null : q.chosen / q.feedback,
        acceptance_interval: wilsonInterval(q.chosen, q.feedback),
      },
      offline: offlineOf(offline),
    };
  };
  return {
    window,
    active: await side(active, sameActive ? evaluation?.overall?.active : null),
    candidate: await side(candidate, evaluation?.overall?.candidate),
    offline_source: evaluation?.overall ? `model v${candidate.version}'s evaluation` : null,
  };
}

export function modelHandlers(
  deps: ModelRouteDeps,
): Handlers<
  'listModels' | 'setTraffic' | 'uploadModel' | 'getModel' | 'getModelQuality' | 'activateModel'
> {
  const { db } = deps;
  return {
    listModels: async (_request, res) => {
      const models = await listModels(db);
      res.json({ models: await Promise.all(models.map((m) => presentModel(db, m, false))) });
    },

    setTraffic: async ({ body: { candidates } }, res) => {
      try {
        const serving = await setManualTraffic(
          db,
          candidates.map((c) => ({ modelId: c.model_id, weight: c.weight })),
        );
        res.json({
          split: trafficShares(serving).map((m) => ({
            model_id: m.id,
            version: m.version,
            status: m.status,
            share: m.share,
          })),
        });
      } catch (error) {
        if (error instanceof RolloutConflict) {
          throw new HttpError(409, 'rollout_running', error.message, [
            { field: 'candidates', message: `rollout ${error.rollout.id} is running` },
          ]);
        }
        if (error instanceof TrafficSplitError) {
          throw new HttpError(422, 'invalid_traffic_split', error.message, [
            { field: 'candidates', message: error.message },
          ]);
        }
        throw error;
      }
    },

    uploadModel: async ({ body }, res) => {
      const { bytes, manifest } = await checkUpload(body, deps.modelCheck);
      const model = await registerModel(db, {
        name: manifest.name,
        sha256: manifest.sha256,
        artifactPath: null,
        onnx: bytes,
        manifest,
        metrics: manifest.metrics,
        source: 'upload',
      });
      res
        .status(model.created ? 201 : 200)
        .location(`/v1/models/${model.id}`)
        .json(await presentModel(db, model, false));
    },

    getModel: async ({ params: { id } }, res) => {
      const model = await getModel(db, id);
      if (!model) throw notFound('model');
      res.json(await presentModel(db, model, true));
    },

    getModelQuality: async ({ params: { id }, query: { window } }, res) => {
      const model = await getModel(db, id);
      if (!model) throw notFound('model');
      const since = windowStart(window);
      const quality = await modelQuality(db, model.id, since);
      const comparison = await compareWithActive(db, model, window, since);
      res.json({
        model_id: model.id,
        version: model.version,
        window,
        since: since?.toISOString() ?? null,
        ...quality,
        acceptance_rate: quality.feedback === 0 ? null : quality.chosen / quality.feedback,
        comparison,
      });
    },

    activateModel: async ({ params: { id } }, res) => {
      const model = await activateSuperseding(db, id, 'the operator');
      if (!model) throw notFound('model');
      res.json(await presentModel(db, model, false));
    },
  };
}
