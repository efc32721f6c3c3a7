// @predictq/model: the stay ranker's features, training, ONNX export, scoring and metrics.
export {
  CROSS_FEATURE_NAMES,
  FEATURE_NAMES,
  LOCATION_FEATURE_NAMES,
  REQUEST_FEATURE_NAMES,
  WISH_FACILITIES,
  checkFeatureNames,
  createFeatureEncoder,
  type FeatureEncoder,
  type FeatureName,
} from './features';
export {
  MODEL_MANIFEST_FORMAT,
  modelManifestSchema,
  sha256Hex,
  type ModelManifest,
} from './manifest';
export { LOG_LOSS_EPS, auc, evaluate, metricsSchema, type Metrics } from './metrics';
export {
  CALIBRATION_BINS,
  HIT_RANK,
  choiceMetrics,
  choiceMetricsSchema,
  expectedOverRank,
  type ChoiceMetrics,
  type LoggedChoice,
} from './choice-metrics';
export {
  STD_FLOOR,
  predict,
  sigmoid,
  toFloat32Params,
  type DenseLayer,
  type MlpParams,
} from './mlp';
export { lossAndGradient } from './mlp-backprop';
export {
  trainMlp,
  trainerOptionsSchema,
  type EpochReport,
  type TrainMlpOptions,
  type TrainerOptions,
} from './mlp-trainer';
export {
  BATCH_DIM,
  DEFAULT_EXPORT_NAMES,
  FEATURE_NAMES_METADATA_KEY,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  exportOnnx,
  readOnnxFeatureNames,
  type OnnxExportOptions,
} from './onnx-export';
export { OnnxScorer, type ScorerOptions } from './scorer';
export {
  DEFAULT_HOLDOUT_FRACTION,
  MIN_TRAINING_ROWS,
  encodeExamples,
  evaluateModel,
  exampleWeights,
  scoreExamples,
  splitByGroup,
  trainRanker,
  type EvaluableModel,
  type RankerSplit,
  type TrainRankerOptions,
  type TrainedRanker,
  type TrainingExample,
} from './train';
export { MANIFEST_FILE, MODEL_FILE, readModelArtifacts, writeModelArtifacts } from './artifacts';
export {
  DRIFT_FEATURES,
  type DriftFeature,
  type RequestStats,
  requestStats,
  requestStatsSchema,
} from './request-stats';
export {
  binOf,
  countBins,
  DEFAULT_HISTOGRAM_BINS,
  distinctRequests,
  featureValue,
  histogram,
  histogramEdges,
  histogramSchema,
  histogramsOfRequests,
  histogramsOfRows,
  type FeatureRow,
  type Histogram,
  type RequestHistograms,
  requestHistogramsSchema,
} from './request-histograms';
export { ksDistance, populationStabilityIndex, PSI_SMOOTHING } from './drift-statistics';
export {
  canLimitMemory,
  checkModelIsolated,
  type ModelCheck,
  type ModelCheckOptions,
} from './model-check';
