// The model registry's rules, in one place: which models serve new predictions, what share of
// them each one takes (the canary split), which model scores a given prediction, and the role
// each serving model plays. The registry (packages/db), the registry routes, the worker's model
// pool and its metrics' role labels all follow these.

/**
 * A model's place in the registry. `shadow` and `canary` are a running rollout's candidate
 * (packages/rollout): a shadow model also scores a sampled share of requests, never served; a
 * canary serves its share of traffic. Only a rollout sets or clears them.
 */
export const MODEL_STATUSES = ['candidate', 'shadow', 'canary', 'active', 'retired'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** How a model came to be. */
export const MODEL_SOURCES = ['baseline', 'training', 'upload'] as const;
export type ModelSource = (typeof MODEL_SOURCES)[number];

/** What the rules need to know of a model. */
export interface TrafficModel {
  id: string;
  status: ModelStatus;
  /**
   * A canary's share of new predictions (0 to 1); the active model takes the rest. For a shadow
   * model, the share of requests it also scores (never served).
   */
  traffic_weight: number;
}

/** The role of a scoring model, as metrics label it. */
export type TrafficRole = 'active' | 'canary' | 'shadow';

export const isShadow = (model: TrafficModel): boolean => model.status === 'shadow';

/**
 * The active model serves, and so does any other model with a share of traffic (a canary); a
 * shadow model's weight is its sample, not a share of what clients receive.
 */
export const isServing = (model: TrafficModel): boolean =>
  model.status === 'active' || (!isShadow(model) && model.traffic_weight > 0);

/** What a worker loads: the serving models and a shadow model with a sample. */
export const isScoring = (model: TrafficModel): boolean =>
  isServing(model) || (isShadow(model) && model.traffic_weight > 0);

export const trafficRole = (model: TrafficModel): TrafficRole =>
  model.status === 'active' ? 'active' : isShadow(model) ? 'shadow' : 'canary';

/**
 * Whether a shadow model with sample `share` also scores this prediction. Salted, so that the
 * sample is independent of the canary split.
 */
export const inShadowSample = (predictionId: string, share: number): boolean =>
  unitHash(`shadow:${predictionId}`) < share;

/** The share of new predictions each serving model takes: canaries theirs, active the rest. */
export function trafficShares<M extends TrafficModel>(
  serving: readonly M[],
): (M & { share: number })[] {
  const served = serving.filter((m) => !isShadow(m));
  const canary = served.reduce((sum, m) => sum + (m.status === 'active' ? 0 : m.traffic_weight), 0);
  return served.map((m) => ({
    ...m,
    share: m.status === 'active' ? Math.max(0, 1 - canary) : m.traffic_weight,
  }));
}

/**
 * Why a requested split cannot be set, or undefined when it can: every model named must exist
 * and not be the active one (it takes what the others leave), and the weights add up to 1 at
 * most. `found` are the named models as the registry holds them.
 */
export function trafficSplitProblem(
  weights: readonly { modelId: string; weight: number }[],
  found: readonly TrafficModel[],
): string | undefined {
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  if (total > 1 + 1e-9) return `the weights add up to ${total}, more than 1`;
  for (const { modelId } of weights) {
    const model = found.find((m) => m.id === modelId);
    if (!model) return `model ${modelId} does not exist`;
    if (model.status === 'active') {
      return `model ${modelId} is the active model: it takes what the others leave`;
    }
    if (model.status === 'shadow' || model.status === 'canary') {
      return `model ${modelId} is in a rollout (${model.status}): the rollout sets its share`;
    }
  }
  return undefined;
}

/** A stable number in [0, 1) from a prediction id (FNV-1a). */
export function unitHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 0x1_0000_0000;
}

/** Cumulative bounds of the split: prediction ids hashing below `upTo` (and above the last). */
export interface SplitBound {
  id: string;
  upTo: number;
}

/**
 * The split over the models that can score (loaded): canaries first, each over its weight, then
 * the active model up to 1. Without an active model the last canary takes the rest.
 */
export function trafficSplit(serving: readonly TrafficModel[]): SplitBound[] {
  const split: SplitBound[] = [];
  let upTo = 0;
  for (const canary of serving.filter((m) => m.status !== 'active' && !isShadow(m))) {
    upTo = Math.min(1, upTo + Math.max(0, canary.traffic_weight));
    split.push({ id: canary.id, upTo });
  }
  const active = serving.find((m) => m.status === 'active');
  if (active) split.push({ id: active.id, upTo: 1 });
  else if (split.length > 0) (split.at(-1) as SplitBound).upTo = 1;
  return split;
}

/**
 * The model that scores a prediction: deterministic from its id, so a retry lands on the same
 * model while the split is unchanged. Undefined when no model can score.
 */
export function assignModel(
  split: readonly SplitBound[],
  predictionId: string,
): string | undefined {
  if (split.length === 0) return undefined;
  const u = unitHash(predictionId);
  return (split.find((s) => u < s.upTo) ?? split.at(-1))?.id;
}
