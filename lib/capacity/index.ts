// The public API of the capacity library: what the app, workers, CLI and agent import.

export { CapacityError } from './errors.ts';
export type { CapacityErrorCode, CapacityWarning, WarningCode } from './errors.ts';
export type * from './spec.ts';

export { parseHfConfig } from './config/index.ts';
export { MODEL_CATALOGUE, catalogueSpec, findCatalogueModel } from './catalogue/models.ts';
export type { CatalogueModel } from './catalogue/models.ts';
export { DEVICE_CATALOGUE, findDevice, usableMemoryBytes } from './devices/catalogue.ts';
export type { DeviceKind, DeviceSpec, DeviceVendor } from './devices/types.ts';

export { countParams } from './params.ts';
export type { ParamCounts } from './params.ts';
export { WEIGHT_SCHEME_NAMES, parseWeightScheme, weightSchemeName } from './quant/schemes.ts';
export type { WeightScheme } from './quant/schemes.ts';
export { weightBytes } from './weights.ts';
export type { WeightBytes } from './weights.ts';
export { KV_DTYPES, parseKvDtype } from './kv-dtype.ts';
export type { KvDtype } from './kv-dtype.ts';
export { kvBytesAt, kvBytesPerToken, kvGrowthBytesPerToken, kvProfile, layerCaches } from './kv.ts';
export type { KvProfile, LayerCache, MlaCacheForm } from './kv.ts';

export { ENGINE_NAMES, engineDefaults, supportedKvDtypes } from './profiles/registry.ts';
export type {
  EngineName,
  EngineSettings,
  LlamaCppSettings,
  MemoryPart,
  OllamaSettings,
  OrtSettings,
  VllmSettings,
} from './profiles/types.ts';

export {
  DEFAULT_DEVICES,
  deviceBytesAt,
  maxConcurrency,
  maxContextTokens,
  plan,
  preparePlan,
} from './plan.ts';
export type {
  ContextLimit,
  DeviceFit,
  Parallelism,
  PlanRequest,
  PlanResult,
  PreparedPlan,
  SpeedEstimate,
} from './plan.ts';
export { estimateCost } from './cost.ts';
export { MAX_PRICE_USD_PER_DEVICE_HOUR, PLAN_REQUEST_LIMITS } from './limits.ts';
export { decodeTokensPerSecond } from './throughput.ts';
