// The models a worker scores with: the active one and any canary with a traffic weight, loaded
// once and swapped without a restart. Which model scores a prediction follows the registry's
// traffic rules (@predictq/domain model-traffic): deterministic from its id, so a retry lands on
// the same model while the split is unchanged.
import type { ModelSummary } from '@predictq/db';
import {
  assignModel,
  type EnrichedRequest,
  isShadow,
  type LocationFeatures,
  type SplitBound,
  trafficSplit,
} from '@predictq/domain';
import { errorMessage, type Logger } from '@predictq/logging';

export interface Scorer {
  score(features: Float32Array, rows: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface FeatureEncoder {
  readonly width: number;
  encode(
    request: EnrichedRequest,
    locations: readonly LocationFeatures[],
    out: Float32Array,
    offset: number,
  ): void;
}

export interface LoadedModel {
  id: string;
  version: number;
  scorer: Scorer;
  encoder: FeatureEncoder;
}

export type ModelLoader = (model: ModelSummary) => Promise<LoadedModel>;

interface Slot {
  model: LoadedModel;
  /** Batches scoring with it right now; a retired model is released when this reaches 0. */
  inUse: number;
  retired: boolean;
}

export class ModelPool {
  private slots = new Map<string, Slot>();
  private split: SplitBound[] = [];
  private shadowModel: { id: string; share: number } | undefined;
  private signature = '';

  constructor(
    private readonly load: ModelLoader,
    private readonly logger: Logger,
  ) {}

  /** The models in the split, with their shares. */
  get assignment(): { id: string; version: number; share: number }[] {
    let previous = 0;
    return this.split.map(({ id, upTo }) => {
      const share = upTo - previous;
      previous = upTo;
      return { id, version: this.slots.get(id)?.model.version ?? 0, share };
    });
  }

  /** The shadow model (loaded) and the share of requests it also scores, if there is one. */
  get shadow(): { id: string; version: number; share: number } | undefined {
    const shadow = this.shadowModel;
    const slot = shadow && this.slots.get(shadow.id);
    return shadow && slot ? { ...shadow, version: slot.model.version } : undefined;
  }

  /**
   * Brings the pool in line with the serving models (the active one and canaries with weight).
   * Returns whether anything changed. A model that fails to load is left out and logged.
   */
  async sync(serving: readonly ModelSummary[]): Promise<boolean> {
    const signature = serving.map((m) => `${m.id}:${m.status}:${m.traffic_weight}`).join('|');
    if (signature === this.signature) return false;

    const next = new Map<string, Slot>();
    for (const model of serving) {
      const existing = this.slots.get(model.id);
      if (existing) {
        next.set(model.id, existing);
        continue;
      }
      try {
        const loaded = await this.load(model);
        next.set(model.id, { model: loaded, inUse: 0, retired: false });
        this.logger.info('model loaded', { modelId: model.id, version: model.version });
      } catch (error) {
        this.logger.error('model failed to load', {
          modelId: model.id,
          version: model.version,
          error: errorMessage(error),
        });
      }
    }

    // Only the models that loaded share the traffic; a shadow model takes none of it.
    const split = trafficSplit(serving.filter((m) => next.has(m.id)));
    const shadow = serving.find((m) => isShadow(m) && next.has(m.id));
    this.shadowModel = shadow && { id: shadow.id, share: shadow.traffic_weight };

    for (const [id, slot] of this.slots) {
      if (!next.has(id)) this.retire(slot);
    }
    this.slots = next;
    this.split = split;
    // A failed load is retried at the next sync: keep the signature only when all loaded.
    this.signature = serving.every((m) => next.has(m.id)) ? signature : '';
    return true;
  }

  /** The model that scores this prediction, or undefined when none can. */
  assign(predictionId: string): string | undefined {
    return assignModel(this.split, predictionId);
  }

  /** Runs fn with the model, keeping it loaded until fn settles even if it is retired meanwhile. */
  async use<T>(modelId: string, fn: (model: LoadedModel) => Promise<T>): Promise<T> {
    const slot = this.slots.get(modelId);
    if (!slot) throw new Error(`model ${modelId} is not loaded`);
    slot.inUse += 1;
    try {
      return await fn(slot.model);
    } finally {
      slot.inUse -= 1;
      if (slot.retired && slot.inUse === 0) void this.release(slot);
    }
  }

  close(): void {
    for (const slot of this.slots.values()) this.retire(slot);
    this.slots.clear();
    this.split = [];
    this.shadowModel = undefined;
    this.signature = '';
  }

  private retire(slot: Slot): void {
    slot.retired = true;
    if (slot.inUse === 0) void this.release(slot);
  }

  private async release(slot: Slot): Promise<void> {
    try {
      await slot.model.scorer.release();
    } catch (error) {
      this.logger.warn('model release failed', {
        modelId: slot.model.id,
        error: errorMessage(error),
      });
    }
  }
}
