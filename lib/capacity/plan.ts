// The planner's entry point: one plain request in, one plain answer out.
//
// A plan binds a model, a weight scheme, a KV type and an engine to one or more devices and
// answers: how much memory each device needs, whether it fits and by what margin, the longest
// context and the most concurrent sequences that fit, how fast it decodes and prefills, and
// what it costs. Work that depends only on the model and scheme is cached, so sweeps over
// devices, contexts and batch sizes cost a few arithmetic operations per point.

import { estimateCost } from './cost.ts';
import { findDevice, usableMemoryBytes } from './devices/catalogue.ts';
import { tensorParallelLink } from './devices/links.ts';
import type { DeviceSpec } from './devices/types.ts';
import { CapacityError } from './errors.ts';
import { checkPlanRequestShape } from './request-shape.ts';
import type { CapacityWarning } from './errors.ts';
import { isBlockKvDtype, parseKvDtype } from './kv-dtype.ts';
import { weightReads } from './moe-reads.ts';
import type { KvDtype } from './kv-dtype.ts';
import { PLAN_REQUEST_LIMITS } from './limits.ts';
import type { KvDtypes, KvProfile, LayerCache, MlaCacheForm } from './kv.ts';
import { kvBytesPerToken, kvGrowthBytesPerToken, kvProfile, layerCaches } from './kv.ts';
import { countParams } from './params.ts';
import type { ParamCounts } from './params.ts';
import { pipelineEngine } from './pipeline.ts';
import { checkEngineLoads, defaultEngine } from './profiles/compatibility.ts';
import { LLAMACPP_CURRENT_BUILD, WINDOW_IGNORED, llamaCppMlaForm } from './profiles/llamacpp.ts';
import { ollamaKvDtypes } from './profiles/ollama.ts';
import { loadsInlineVisionTower } from './profiles/ollama-versions.ts';
import {
  VLLM_DEFAULT_MAX_MODEL_LEN,
  vllmFloat32AutoDtype,
  vllmMaxModelLen,
  vllmMaxNumBatchedTokens,
  vllmMaxNumSeqs,
} from './profiles/vllm-limits.ts';
import { mxfp4ExpertPaddingByLayer } from './profiles/vllm.ts';
import type { VllmContextLimit } from './profiles/vllm-limits.ts';
import { checkEngineSplit, keepsLayersWhole } from './profiles/splits.ts';
import type { Parallelism } from './profiles/splits.ts';
import type { StageItems } from './pipeline.ts';
import {
  engineDefaults,
  keepsEmbeddingOnHost,
  prepareEngine,
  supportedKvDtypes,
} from './profiles/registry.ts';
import type {
  DeviceMemory,
  EngineName,
  EngineSettings,
  MemoryPart,
  PreparedEngine,
} from './profiles/types.ts';
import { parseWeightScheme, weightSchemeName } from './quant/schemes.ts';
import type { WeightScheme } from './quant/schemes.ts';
import type { ModelSpec } from './spec.ts';
import {
  CPU_DECODE_BANDWIDTH_SHARE,
  batchedDecode,
  decodeConstants,
  pipelineDecode,
  prefill,
  prefillEfficiency,
  tensorParallelDecode,
  weightBytesPerStep,
} from './throughput.ts';
import type { DecodeEstimate } from './throughput.ts';
import { weightBytes } from './weights.ts';
import type { WeightBytes } from './weights.ts';

export type { Parallelism } from './profiles/splits.ts';

/** What a person asks. Every field but `model` has a default (see `resolveRequest`). */
export interface PlanRequest {
  model: ModelSpec;
  /** Weight scheme name (`bf16`, `fp8`, `Q4_K_M`, `gptq-4bit-g128`, `checkpoint` ...). */
  weights?: string | WeightScheme;
  /** KV cache element type (`f16`, `bf16`, `fp8`, `q8_0`, `q4_0` ...). */
  kv?: string;
  /** Tokens per sequence (prompt plus generated). */
  contextTokens?: number;
  /** Sequences served at once. */
  batch?: number;
  /** An engine name, or full settings to override its defaults. */
  engine?: EngineName | EngineSettings;
  /** Catalogue ids (or specs) of the devices to check; each gets its own fit. */
  devices?: readonly (string | DeviceSpec)[];
  /** Identical devices the model is split across. */
  gpus?: number;
  parallelism?: Parallelism;
  /** Rental price of one device per hour, USD; enables the cost figures. */
  priceUsdPerGpuHour?: number;
}

/**
 * The longest context that fits, and what set it: memory, the model's own trained limit, or
 * (for a model that states none and whose memory stops growing) the planner's search limit.
 */
export interface ContextLimit {
  tokens: number;
  limitedBy: 'memory' | 'model' | 'search_limit';
}

/** Decode and prefill speed of one plan on one device type. */
export interface SpeedEstimate {
  /** Tokens per second one sequence gains. */
  decodeTokensPerSecond: number;
  /** Tokens per second of all `batch` sequences together. */
  decodeTokensPerSecondTotal: number;
  prefillTokensPerSecond: number;
  bound: DecodeEstimate['bound'];
}

/** One device type's verdict. */
export interface DeviceFit {
  device: string;
  name: string;
  gpus: number;
  usableBytesPerDevice: number;
  /** What the engine may use of it (vLLM's utilisation share; the whole elsewhere). */
  budgetBytesPerDevice: number;
  perDeviceBytes: number;
  fits: boolean;
  /** Budget less need on the busiest device; negative when it does not fit. */
  marginBytes: number;
  /** Longest context per sequence at this batch; null when not even one token fits. */
  maxContext: ContextLimit | null;
  /** Most sequences at this context (0 when none fits), memory and engine caps together. */
  maxConcurrency: number;
  /** What set `maxConcurrency`: memory, or vLLM's `--max-num-seqs` cap. */
  maxConcurrencyLimitedBy: 'memory' | 'max_num_seqs';
  /** Why the engine refuses to start at these settings (then `fits` is false), or null. */
  refusal: string | null;
  speed: SpeedEstimate;
  /** Per hour, and per million generated tokens at the total decode rate (prefill not counted). */
  cost: { perHourUsd: number; perMillionTokensUsd: number | null } | null;
}

/** The whole answer; numbers are bytes, tokens, tokens per second and USD as named. */
export interface PlanResult {
  model: { name: string; modelType: string };
  settings: {
    weights: string;
    kv: KvDtype;
    contextTokens: number;
    batch: number;
    engine: EngineSettings;
    gpus: number;
    parallelism: Parallelism;
  };
  params: ParamCounts;
  kv: {
    /** Bytes per token per sequence over all attention layers (within every window). */
    bytesPerToken: number;
    /** Bytes per token once past every sliding window (full and MLA layers only). */
    bytesPerTokenBeyondWindows: number;
    /** Recurrent (SSM, linear attention) state per sequence, independent of context. */
    fixedBytesPerSequence: number;
  };
  memory: {
    /** The model's resident weights, whole. */
    weightsBytes: number;
    /** KV cache (and recurrent state) of every sequence, over all devices. */
    kvBytes: number;
    activationBytes: number;
    overheadBytes: number;
    /** Everything on every device together. */
    totalBytes: number;
    /** The busiest device's bytes. */
    perDeviceBytes: number;
    /** The busiest device's parts with their provenance. */
    parts: MemoryPart[];
  };
  fit: DeviceFit[];
  warnings: CapacityWarning[];
}

/** Devices checked when a request names none: a consumer card and a data-centre one. */
export const DEFAULT_DEVICES = ['rtx-4090', 'h100-sxm'] as const;

const DEFAULT_CONTEXT_TOKENS = 8192;

const MAX_CONTEXT_SEARCH = PLAN_REQUEST_LIMITS.contextTokens;
const MAX_CONCURRENCY_SEARCH = PLAN_REQUEST_LIMITS.batch;

/** Model-level results shared by every plan of one model at one scheme. */
interface PreparedModel {
  params: ParamCounts;
  weights: WeightBytes;
}

const preparedModels = new WeakMap<ModelSpec, Map<string, PreparedModel>>();

/** Parameters and weight bytes of `spec` at `scheme`, computed once per pair and cached. */
export function prepareModel(spec: ModelSpec, scheme: WeightScheme): PreparedModel {
  const key = weightSchemeName(scheme);
  let byScheme = preparedModels.get(spec);
  if (!byScheme) {
    byScheme = new Map();
    preparedModels.set(spec, byScheme);
  }
  let prepared = byScheme.get(key);
  if (!prepared) {
    prepared = { params: countParams(spec), weights: weightBytes(spec, scheme) };
    byScheme.set(key, prepared);
  }
  return prepared;
}

function checkCount(value: number, field: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new CapacityError(
      'out_of_range',
      `${field} must be an integer from 1 to ${max}, got ${String(value)}`,
      {
        field,
        expected: `an integer from 1 to ${max}`,
      },
    );
  }
  return value;
}

function defaultScheme(spec: ModelSpec): WeightScheme {
  const stored = spec.tensors.some((tensor) => tensor.storedBytes !== undefined);
  if (stored || spec.checkpoint.quantization) return { kind: 'checkpoint' };
  return { kind: 'dense', dtype: spec.checkpoint.dtype === 'f32' ? 'f32' : 'bf16' };
}

function resolveEngine(
  request: PlanRequest,
  scheme: WeightScheme,
  devices: readonly DeviceSpec[],
): EngineSettings {
  const engine = request.engine;
  const settings =
    engine === undefined
      ? engineDefaults(defaultEngine(scheme, request.model, devices))
      : typeof engine === 'string'
        ? engineDefaults(engine)
        : engine;
  checkEngineLoads(settings.engine, scheme, request.model);
  return settings;
}

/**
 * The scheme the engine really loads: vLLM's `--dtype auto` casts a float32 checkpoint to
 * bf16 (f16 before 0.9), so a request that names no type, or `checkpoint`, is planned so.
 */
function engineScheme(
  request: Omit<PlanRequest, 'contextTokens' | 'batch'>,
  scheme: WeightScheme,
  settings: EngineSettings,
): { scheme: WeightScheme; warning: CapacityWarning | null } {
  const spec = request.model;
  const named = typeof request.weights === 'string' ? request.weights.trim().toLowerCase() : '';
  const auto = request.weights === undefined || named === 'checkpoint' || named === 'auto';
  const float32 = spec.checkpoint.dtype === 'f32' && spec.checkpoint.quantization === null;
  if (settings.engine !== 'vllm' || !auto || !float32) return { scheme, warning: null };
  const dtype = vllmFloat32AutoDtype(settings.version);
  return {
    scheme: { kind: 'dense', dtype },
    warning: {
      code: 'estimate',
      message:
        `vLLM ${settings.version} --dtype auto loads this float32 checkpoint as ${dtype} ` +
        '(model_config.py _resolve_auto_dtype; f16 on GPUs before compute capability 8.0)',
      data: { checkpointDtype: 'f32', loadedDtype: dtype, engine: 'vllm' },
    },
  };
}

/** How the engine stores MLA: vLLM the latent, transformers.js per-head K/V, llama.cpp by build. */
function mlaFormFor(settings: EngineSettings): MlaCacheForm {
  switch (settings.engine) {
    case 'vllm':
      return 'latent';
    case 'transformers.js':
      return 'decompressed';
    case 'llama.cpp':
      return llamaCppMlaForm(settings.build);
    case 'ollama':
      return llamaCppMlaForm(LLAMACPP_CURRENT_BUILD);
  }
}

/**
 * Every layer's cache as the engine keeps it, for the per-token figures: llama.cpp (and Ollama)
 * run some architectures (`WINDOW_IGNORED`, Mistral among them) with full attention on layers
 * whose config names a sliding window.
 */
function engineCaches(spec: ModelSpec, settings: EngineSettings): LayerCache[] {
  const caches = layerCaches(spec, mlaFormFor(settings));
  if (!ignoresWindows(spec, settings.engine)) return caches;
  return caches.map((cache) =>
    cache.kind === 'sliding' ? { ...cache, kind: 'full', windowTokens: null } : cache,
  );
}

function ignoresWindows(spec: ModelSpec, engine: EngineName): boolean {
  const ggml = engine === 'llama.cpp' || engine === 'ollama';
  return ggml && WINDOW_IGNORED.has(spec.modelType);
}

/**
 * The KV type the engine stores, with a warning when it is not the one asked for: engines
 * refuse types they lack; llama.cpp refuses a quantized V cache without flash attention;
 * Ollama falls back to f16 without it.
 */
function resolveKv(
  request: Omit<PlanRequest, 'contextTokens' | 'batch'>,
  engine: EngineSettings,
): { kv: KvDtype; warning: CapacityWarning | null } {
  const kv = parseKvDtype(request.kv ?? 'f16', 'kv');
  const supported = supportedKvDtypes(engine.engine);
  if (!supported.includes(kv)) {
    throw new CapacityError(
      'invalid_field',
      `${engine.engine} cannot store its KV cache as ${kv}`,
      {
        field: 'kv',
        expected: `one of ${supported.join(', ')} for ${engine.engine}`,
      },
    );
  }
  if (engine.engine === 'llama.cpp' && !engine.flashAttention && isBlockKvDtype(kv)) {
    throw new CapacityError(
      'invalid_field',
      `llama.cpp refuses a ${kv} KV cache with flash attention off ` +
        '("V cache quantization requires flash_attn")',
      { field: 'kv', expected: 'f32, f16 or bf16, or flash attention on' },
    );
  }
  if (engine.engine === 'ollama') {
    const used = ollamaKvDtypes(engine, request.model, { k: kv, v: kv, recurrent: 'f32' });
    return { kv: used.kv.v, warning: used.warning };
  }
  return { kv, warning: null };
}

/** Weight bytes on one tensor-parallel rank: split tensors divide, norms and routers repeat. */
function splitWeights(
  weights: WeightBytes,
  ranks: number,
): { deviceBytes: number; deviceEmbeddingBytes: number } {
  if (ranks === 1) {
    return { deviceBytes: weights.residentBytes, deviceEmbeddingBytes: weights.embeddingBytes };
  }
  const replicated = weights.byGroup.norm + weights.byGroup.router;
  return {
    deviceBytes: Math.ceil((weights.residentBytes - replicated) / ranks) + replicated,
    deviceEmbeddingBytes: Math.ceil(weights.embeddingBytes / ranks),
  };
}

/**
 * Pipeline items: each layer's weights, with the input embedding on the first layer (unless
 * the engine keeps it in host memory; a tied head then goes on the last) and the head and final
 * norm on the last.
 */
function stageItems(spec: ModelSpec, weights: WeightBytes, engine: EngineName): StageItems {
  const items = [...weights.perLayerBytes];
  const layerTotal = items.reduce((sum, bytes) => sum + bytes, 0);
  const outside = weights.residentBytes - layerTotal - weights.embeddingBytes - weights.headBytes;
  if (engine === 'vllm' && hasMxfp4Experts(weights)) addMxfp4Padding(spec, items);
  const embeddingOnHost = keepsEmbeddingOnHost(engine);
  const last = items.length - 1;
  if (!embeddingOnHost) items[0] = (items[0] ?? 0) + weights.embeddingBytes;
  const tiedCopy = embeddingOnHost && spec.tiedEmbeddings ? weights.embeddingBytes : 0;
  items[last] = (items[last] ?? 0) + weights.headBytes + outside + tiedCopy;
  return { weightsBytes: items, caches: layerCaches(spec) };
}

function hasMxfp4Experts(weights: WeightBytes): boolean {
  return weights.tensors.some((tensor) => tensor.type === 'mxfp4');
}

/** Adds to each layer's bytes the padding vLLM's MXFP4 MoE kernels give its experts. */
function addMxfp4Padding(spec: ModelSpec, items: number[]): void {
  for (const [layer, bytes] of mxfp4ExpertPaddingByLayer(spec, 1)) {
    if (layer === null || layer >= items.length) continue;
    items[layer] = (items[layer] ?? 0) + Math.round(bytes);
  }
}

/** Bytes on the device (host-side parts excluded). */
export function deviceTotalBytes(memory: DeviceMemory): number {
  return (
    memory.weightsBytes +
    memory.kvBytes +
    memory.recurrentBytes +
    memory.computeBytes +
    memory.outputBytes +
    memory.runtimeBytes
  );
}

function largestFitting(lo: number, hi: number, fits: (value: number) => boolean): number {
  if (!fits(lo)) return lo - 1;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Longest context per sequence that fits `budgetBytes` with `sequences` sequences: a binary
 * search, valid because memory never falls as the context grows.
 */
export function maxContextTokens(
  engine: PreparedEngine,
  budgetBytes: number,
  sequences: number,
  modelLimitTokens: number | null,
): ContextLimit | null {
  const cap = modelLimitTokens ?? MAX_CONTEXT_SEARCH;
  const fits = (tokens: number) =>
    deviceTotalBytes(engine.memoryAt(tokens, sequences)) <= budgetBytes;
  const tokens = largestFitting(1, cap, fits);
  if (tokens < 1) return null;
  if (tokens < cap) return { tokens, limitedBy: 'memory' };
  return { tokens, limitedBy: modelLimitTokens === null ? 'search_limit' : 'model' };
}

/** Most sequences of `contextTokens` each that fit `budgetBytes` (0 when none). */
export function maxConcurrency(
  engine: PreparedEngine,
  budgetBytes: number,
  contextTokens: number,
): number {
  const fits = (sequences: number) =>
    deviceTotalBytes(engine.memoryAt(contextTokens, sequences)) <= budgetBytes;
  return Math.max(0, largestFitting(1, MAX_CONCURRENCY_SEARCH, fits));
}

function memoryParts(memory: DeviceMemory, engine: PreparedEngine): MemoryPart[] {
  const notes = engine.notes;
  const parts: MemoryPart[] = [
    { name: 'weights', bytes: memory.weightsBytes, onDevice: true, ...notes.weightsBytes },
    { name: 'kv', bytes: memory.kvBytes, onDevice: true, ...notes.kvBytes },
    {
      name: 'recurrent_state',
      bytes: memory.recurrentBytes,
      onDevice: true,
      ...notes.recurrentBytes,
    },
    { name: 'compute', bytes: memory.computeBytes, onDevice: true, ...notes.computeBytes },
    { name: 'output', bytes: memory.outputBytes, onDevice: true, ...notes.outputBytes },
    { name: 'runtime', bytes: memory.runtimeBytes, onDevice: true, ...notes.runtimeBytes },
  ];
  if (memory.hostWeightsBytes > 0) {
    parts.push({
      name: 'weights',
      bytes: memory.hostWeightsBytes,
      onDevice: false,
      provenance: 'exact',
      source: 'tensors the engine keeps in host memory (input embedding)',
    });
  }
  if (memory.hostOutputBytes > 0) {
    parts.push({
      name: 'output',
      bytes: memory.hostOutputBytes,
      onDevice: false,
      ...notes.outputBytes,
    });
  }
  return parts;
}

/** Attention width (query heads x head dim) summed over layers, for prefill FLOPs. */
function attentionWidth(spec: ModelSpec): number {
  let width = 0;
  for (const layer of spec.layers) {
    const mixer = layer.mixer;
    if (mixer.kind === 'attention') width += mixer.heads * mixer.headDimK;
    if (mixer.kind === 'mla') width += mixer.heads * (mixer.qkNopeHeadDim + mixer.qkRopeHeadDim);
  }
  return width;
}

interface SpeedInput {
  spec: ModelSpec;
  prepared: PreparedModel;
  kvAtContext: number;
  device: DeviceSpec;
  gpus: number;
  parallelism: Parallelism;
  contextTokens: number;
  batch: number;
  engine: EngineName;
}

/**
 * Decode and prefill speed from `throughput.ts`, with class constants for the device. A step
 * reads the union of the experts its batch routes to (`weightBytesPerStep`). llama.cpp's row
 * split is planned at one device's speed: no measurement shows it faster over PCIe (see
 * `rowSplitSpeedNote`). Tensor parallelism past a device's link domain pays the slower link.
 */
function estimateSpeed(input: SpeedInput): SpeedEstimate {
  const { device, gpus, batch, prepared } = input;
  const constants = decodeConstants(device.kind);
  const efficiency = prefillEfficiency(device.kind) ?? prefillEfficiency('discrete-gpu') ?? 0.5;
  const activeParams = Math.max(1, prepared.params.active);
  const compute = { flopsPerToken: 2 * activeParams, peakTflops: device.fp16Tflops, efficiency };
  const base = {
    activeWeightBytesPerToken: weightBytesPerStep(weightReads(input.spec, prepared.weights), batch),
    kvBytesReadPerToken: input.kvAtContext,
    batchSequences: batch,
    bandwidthGBs: device.bandwidthGBs * constants.bandwidthShare,
    perTokenOverheadSeconds: constants.overheadSeconds,
    compute,
  };
  const rowSplit = input.parallelism === 'tensor' && keepsLayersWhole(input.engine);

  let decode: DecodeEstimate;
  if (gpus === 1 || rowSplit) {
    decode = batchedDecode(base);
  } else if (input.parallelism === 'tensor') {
    const link = tensorParallelLink(device, gpus);
    decode = tensorParallelDecode({
      ...base,
      gpus,
      layers: Math.max(1, input.spec.layers.length),
      allReduceBytesPerSequence: input.spec.hiddenSize * 2,
      interconnectBidirectionalGBs: link.link.bandwidthGBs,
      allReduceLatencySeconds: link.allReduceSeconds,
    });
  } else {
    const stage = {
      activeWeightBytesPerToken: base.activeWeightBytesPerToken / gpus,
      kvBytesReadPerToken: base.kvBytesReadPerToken / gpus,
      bandwidthGBs: base.bandwidthGBs,
      perTokenOverheadSeconds: base.perTokenOverheadSeconds,
      layers: Math.max(1, Math.ceil(input.spec.layers.length / gpus)),
      compute: { ...compute, flopsPerToken: compute.flopsPerToken / gpus },
    };
    decode = pipelineDecode({
      stages: Array.from({ length: gpus }, () => stage),
      batchSequences: batch,
      activationBytesPerSequence: input.spec.hiddenSize * 2,
      hopGBsPerDirection: (device.interconnect?.bandwidthGBs ?? 32) / 2,
      hopLatencySeconds: 10e-6,
    });
  }

  const prefillGpus = input.parallelism === 'tensor' && !rowSplit ? gpus : 1;
  const prefillEstimate = prefill({
    activeParams,
    attentionWidth: attentionWidth(input.spec),
    promptTokens: input.contextTokens,
    peakTflops: device.fp16Tflops * prefillGpus,
    efficiency,
  });

  return {
    decodeTokensPerSecond: decode.tokensPerSecondPerSequence,
    decodeTokensPerSecondTotal: decode.tokensPerSecondTotal,
    prefillTokensPerSecond: prefillEstimate.tokensPerSecond,
    bound: decode.bound,
  };
}

function resolveDevices(request: PlanRequest): DeviceSpec[] {
  const devices = [...new Set(request.devices ?? DEFAULT_DEVICES)];
  if (devices.length === 0) {
    throw new CapacityError('missing_field', 'no device to plan for', {
      field: 'devices',
      expected: 'at least one catalogue device id',
    });
  }
  const specs = devices.map((device) => (typeof device === 'string' ? findDevice(device) : device));
  return specs.filter(
    (device, index) => specs.findIndex((other) => other.id === device.id) === index,
  );
}

/** The engine on the busiest device: tensor ranks share every layer, pipeline stages split them. */
function bindEngine(
  spec: ModelSpec,
  weights: WeightBytes,
  settings: EngineSettings,
  kvDtypes: KvDtypes,
  split: { gpus: number; parallelism: Parallelism; visionBytes: number; device: DeviceSpec },
): PreparedEngine {
  const device = split.device;
  if (split.parallelism === 'pipeline' && split.gpus > 1 && spec.layers.length > 0) {
    const whole = prepareEngine(settings, {
      spec,
      deviceWeightsBytes: weights.embeddingBytes,
      deviceEmbeddingBytes: weights.embeddingBytes,
      kvDtypes,
      tensorParallel: 1,
      device,
    });
    const items = stageItems(spec, weights, settings.engine);
    items.weightsBytes[0] = (items.weightsBytes[0] ?? 0) + split.visionBytes;
    return pipelineEngine(whole, items, split.gpus);
  }
  const ranks = split.parallelism === 'tensor' ? split.gpus : 1;
  const rank = splitWeights(weights, ranks);
  return prepareEngine(settings, {
    spec,
    deviceWeightsBytes: rank.deviceBytes + split.visionBytes,
    deviceEmbeddingBytes: rank.deviceEmbeddingBytes,
    hostEmbeddingBytes: weights.embeddingBytes,
    kvDtypes,
    tensorParallel: ranks,
    mxfp4Experts: hasMxfp4Experts(weights),
    device,
  });
}

/**
 * The engine per device type: vLLM's batch defaults (max_num_seqs, max_num_batched_tokens)
 * depend on the GPU, so devices that resolve them alike share one binding.
 */
function bindPerDevice(
  devices: readonly DeviceSpec[],
  bind: (device: DeviceSpec) => PreparedEngine,
  settings: EngineSettings,
): PreparedEngine[] {
  const byKey = new Map<string, PreparedEngine>();
  return devices.map((device) => {
    const key =
      settings.engine === 'vllm'
        ? `${vllmMaxNumSeqs(settings, device)}:${vllmMaxNumBatchedTokens(settings, device, 1)}`
        : '';
    let engine = byKey.get(key);
    if (!engine) {
      engine = bind(device);
      byKey.set(key, engine);
    }
    return engine;
  });
}

/** Everything about a plan that does not depend on the context or batch, computed once. */
export interface PreparedPlan {
  spec: ModelSpec;
  scheme: WeightScheme;
  engineSettings: EngineSettings;
  kv: KvDtype;
  gpus: number;
  parallelism: Parallelism;
  model: PreparedModel;
  /** The engine on the first device (`engines[0]`), for figures that name no device. */
  engine: PreparedEngine;
  /** The engine bound to each device type, in `devices` order. */
  engines: PreparedEngine[];
  devices: DeviceSpec[];
  /** Bytes each device type offers the engine (its budget), in `devices` order. */
  budgetBytes: number[];
  /** The whole model's cache in the engine's form, for the per-token figures. */
  modelKv: KvProfile;
  /**
   * The engine over the whole model on one device, for the cache totals of splits that keep
   * each layer's cache whole on one device (pipelines, llama.cpp's row split); null when the
   * ranks divide or replicate heads (vLLM's tensor parallelism) or there is one device.
   */
  wholeCacheEngine: PreparedEngine | null;
  /** vLLM's derived max_model_len; null for other engines and configs that state none. */
  engineContextLimit: VllmContextLimit | null;
  /** Vision-tower bytes Ollama loads from its blob that the GGUF weights leave out (else 0). */
  inlineVisionBytes: number;
  /** Remarks from resolving the request (a KV type or dtype the engine changes). */
  notes: CapacityWarning[];
}

/** Resolves defaults and binds the engine: the context-independent half of `plan`. */
export function preparePlan(request: Omit<PlanRequest, 'contextTokens' | 'batch'>): PreparedPlan {
  checkPlanRequestShape(request);
  const spec = request.model;
  const asked =
    typeof request.weights === 'string'
      ? parseWeightScheme(request.weights, 'weights')
      : (request.weights ?? defaultScheme(spec));
  const devices = resolveDevices(request);
  const engineSettings = resolveEngine(request, asked, devices);
  const loaded = engineScheme(request, asked, engineSettings);
  const scheme = loaded.scheme;
  const kv = resolveKv(request, engineSettings);
  const gpus = checkCount(request.gpus ?? 1, 'gpus', PLAN_REQUEST_LIMITS.gpus);
  const parallelism = request.parallelism ?? 'tensor';
  checkEngineSplit({ spec, engine: engineSettings.engine, gpus, parallelism });

  const model = prepareModel(spec, scheme);
  const kvDtypes = { k: kv.kv, v: kv.kv, recurrent: recurrentDtype(engineSettings.engine) };
  const inlineVisionBytes = ollamaVisionBytes(spec, scheme, model.weights, engineSettings);
  const engines = bindPerDevice(
    devices,
    (device) =>
      bindEngine(spec, model.weights, engineSettings, kvDtypes, {
        gpus,
        parallelism,
        visionBytes: inlineVisionBytes,
        device,
      }),
    engineSettings,
  );
  const engine = engines[0] as PreparedEngine;
  const caches = engineCaches(spec, engineSettings);
  const notes = [loaded.warning, kv.warning].filter((note) => note !== null);

  return {
    spec,
    scheme,
    engineSettings,
    kv: kv.kv,
    gpus,
    parallelism,
    model,
    engine,
    engines,
    devices,
    budgetBytes: devices.map((device) =>
      engine.budgetBytes(usableMemoryBytes(device), device.vendor),
    ),
    modelKv: kvProfile(caches, kvDtypes),
    wholeCacheEngine: wholeLayerSplit(gpus, parallelism, engineSettings.engine)
      ? prepareEngine(engineSettings, {
          spec,
          deviceWeightsBytes: 0,
          deviceEmbeddingBytes: 0,
          kvDtypes,
          tensorParallel: 1,
          ...(devices[0] ? { device: devices[0] } : {}),
        })
      : null,
    engineContextLimit: engineSettings.engine === 'vllm' ? vllmMaxModelLen(spec) : null,
    inlineVisionBytes,
    notes: inlineVisionBytes > 0 ? [...notes, inlineVisionNote(inlineVisionBytes)] : notes,
  };
}

/**
 * Bytes of the vision tower Ollama adds to the GPU: for gemma3, Qwen3-VL and Mistral 3 its
 * blob holds the tower (`v.*` tensors) and the runner loads it, while a GGUF file type of
 * llama.cpp leaves it to a separate mmproj file. Priced as the weights did (F16).
 */
function ollamaVisionBytes(
  spec: ModelSpec,
  scheme: WeightScheme,
  weights: WeightBytes,
  settings: EngineSettings,
): number {
  const inline = settings.engine === 'ollama' && loadsInlineVisionTower(spec.modelType);
  return inline && scheme.kind === 'gguf' ? weights.byGroup.vision : 0;
}

function inlineVisionNote(visionBytes: number): CapacityWarning {
  const mib = (visionBytes / 2 ** 20).toFixed(1);
  return {
    code: 'vision_tower_estimated',
    message:
      `vision tower (${mib} MiB in F16) counted on the first GPU: Ollama loads it from the ` +
      'model blob; its vision graph buffer is not counted (an estimate)',
    data: { counted: true, visionBytes },
  };
}

/** Bytes on the busiest device at `contextTokens` per sequence and `sequences` sequences. */
export function deviceBytesAt(prepared: PreparedPlan, contextTokens: number, sequences: number) {
  return deviceTotalBytes(prepared.engine.memoryAt(contextTokens, sequences));
}

/** Whether a split keeps every layer's cache whole on one device. */
function wholeLayerSplit(gpus: number, parallelism: Parallelism, engine: EngineName): boolean {
  return gpus > 1 && (parallelism === 'pipeline' || keepsLayersWhole(engine));
}

/**
 * KV cache and recurrent state of every sequence over all devices: the whole model's cache
 * when each layer's cache sits whole on one device, else one rank's cache times the ranks.
 */
export function totalCacheBytes(prepared: PreparedPlan, contextTokens: number, batch: number) {
  const engine = prepared.wholeCacheEngine ?? prepared.engine;
  const memory = engine.memoryAt(contextTokens, batch);
  const copies = prepared.wholeCacheEngine === null ? prepared.gpus : 1;
  return (memory.kvBytes + memory.recurrentBytes) * copies;
}

/**
 * Cache bytes one sequence reads per decode step, as the engine holds them (its cells, windows
 * and MLA form), over all devices: every rank's share under vLLM's tensor parallelism, the
 * model's cache once where each layer's cache sits whole on one device.
 */
export function kvReadBytesPerToken(prepared: PreparedPlan, contextTokens: number): number {
  const engine = prepared.wholeCacheEngine ?? prepared.engine;
  if (engine.kvReadBytesAt === undefined) return totalCacheBytes(prepared, contextTokens, 1);
  const copies = prepared.wholeCacheEngine === null ? prepared.gpus : 1;
  return engine.kvReadBytesAt(contextTokens) * copies;
}

/**
 * Sequences the engine runs at once on device `index`: vLLM runs at most `--max-num-seqs`
 * and queues the rest, so memory, speed and cost count only those.
 */
export function runningSequences(prepared: PreparedPlan, index: number, batch: number): number {
  const settings = prepared.engineSettings;
  const device = prepared.devices[index];
  if (settings.engine !== 'vllm' || device === undefined) return batch;
  return Math.min(batch, vllmMaxNumSeqs(settings, device));
}

function fitOnDevice(
  prepared: PreparedPlan,
  index: number,
  contextTokens: number,
  batch: number,
  price: number | undefined,
): DeviceFit {
  const { spec, gpus, parallelism } = prepared;
  const engine = prepared.engines[index] ?? prepared.engine;
  const device = prepared.devices[index] as DeviceSpec;
  const budget = prepared.budgetBytes[index] ?? 0;
  const running = runningSequences(prepared, index, batch);
  const perDeviceBytes = deviceTotalBytes(engine.memoryAt(contextTokens, running));
  const speed = estimateSpeed({
    spec,
    prepared: prepared.model,
    kvAtContext: kvReadBytesPerToken(prepared, contextTokens),
    device,
    gpus,
    parallelism,
    contextTokens,
    batch: running,
    engine: prepared.engineSettings.engine,
  });
  let cost: DeviceFit['cost'] = null;
  if (price !== undefined) {
    const estimate = estimateCost({
      pricePerGpuHourUsd: price,
      gpus,
      tokensPerSecond: speed.decodeTokensPerSecondTotal,
    });
    cost = { perHourUsd: estimate.hourlyUsd, perMillionTokensUsd: estimate.usdPerMillionTokens };
  }
  const refusal = engineRefusal(prepared, contextTokens);
  const concurrency = concurrencyOn(prepared, index, budget, contextTokens);
  return {
    device: device.id,
    name: device.name,
    gpus,
    usableBytesPerDevice: usableMemoryBytes(device),
    budgetBytesPerDevice: budget,
    perDeviceBytes,
    fits: refusal === null && perDeviceBytes <= budget,
    marginBytes: budget - perDeviceBytes,
    maxContext: maxContextTokens(engine, budget, running, contextCap(prepared)),
    maxConcurrency: concurrency.sequences,
    maxConcurrencyLimitedBy: concurrency.limitedBy,
    refusal,
    speed,
    cost,
  };
}

/**
 * The longest context the engine accepts: vLLM's derived max_model_len (unless
 * VLLM_ALLOW_LONG_MAX_MODEL_LEN), else the model's own limit (llama.cpp runs past it, warning).
 */
export function contextCap(prepared: PreparedPlan): number | null {
  const settings = prepared.engineSettings;
  const limit = prepared.engineContextLimit;
  if (settings.engine === 'vllm' && limit !== null && !settings.allowLongMaxModelLen) {
    return limit.tokens;
  }
  return prepared.spec.maxPositionTokens;
}

/** Why the engine will not start at `contextTokens`, or null: vLLM above its max_model_len. */
function engineRefusal(prepared: PreparedPlan, contextTokens: number): string | null {
  const settings = prepared.engineSettings;
  const limit = prepared.engineContextLimit;
  if (settings.engine !== 'vllm' || limit === null || settings.allowLongMaxModelLen) return null;
  if (contextTokens <= limit.tokens) return null;
  return (
    `vLLM does not start: max_model_len ${contextTokens} is above the ${limit.tokens} it ` +
    `derives from ${limit.derivedFrom} (set VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 to force it)`
  );
}

/** Most sequences on one device: memory's answer, capped by vLLM's `--max-num-seqs`. */
function concurrencyOn(
  prepared: PreparedPlan,
  index: number,
  budget: number,
  contextTokens: number,
): { sequences: number; limitedBy: DeviceFit['maxConcurrencyLimitedBy'] } {
  const engine = prepared.engines[index] ?? prepared.engine;
  const byMemory = maxConcurrency(engine, budget, contextTokens);
  const settings = prepared.engineSettings;
  const device = prepared.devices[index];
  if (settings.engine !== 'vllm' || device === undefined) {
    return { sequences: byMemory, limitedBy: 'memory' };
  }
  const cap = vllmMaxNumSeqs(settings, device);
  return byMemory > cap
    ? { sequences: cap, limitedBy: 'max_num_seqs' }
    : { sequences: byMemory, limitedBy: 'memory' };
}

/** A warning per device where vLLM's `--max-num-seqs` is below the batch: the rest queue. */
function queuedSequences(prepared: PreparedPlan, batch: number): CapacityWarning[] {
  const settings = prepared.engineSettings;
  if (settings.engine !== 'vllm') return [];
  const warnings: CapacityWarning[] = [];
  for (const device of prepared.devices) {
    const cap = vllmMaxNumSeqs(settings, device);
    if (batch <= cap) continue;
    warnings.push({
      code: 'estimate',
      message:
        `vLLM runs at most ${cap} sequences at once on ${device.id} (--max-num-seqs); ` +
        `the other ${batch - cap} wait`,
      data: { device: device.id, maxNumSeqs: cap, batch },
    });
  }
  return warnings;
}

function planWarnings(
  prepared: PreparedPlan,
  contextTokens: number,
  batch: number,
): CapacityWarning[] {
  const { spec } = prepared;
  const weightWarnings = prepared.model.weights.warnings.filter(
    (warning) => prepared.inlineVisionBytes === 0 || warning.code !== 'vision_tower_estimated',
  );
  const warnings: CapacityWarning[] = [...spec.warnings, ...weightWarnings, ...prepared.notes];
  const refusal = engineRefusal(prepared, contextTokens);
  if (refusal !== null) {
    warnings.push({
      code: 'context_above_model_limit',
      message: refusal,
      data: { contextTokens, engineLimitTokens: prepared.engineContextLimit?.tokens ?? 0 },
    });
  }
  warnings.push(...queuedSequences(prepared, batch));
  const aboveModel = spec.maxPositionTokens !== null && contextTokens > spec.maxPositionTokens;
  if (aboveModel && refusal === null) {
    warnings.push({
      code: 'context_above_model_limit',
      message: `context ${contextTokens} is above the model's ${spec.maxPositionTokens} tokens`,
      data: { contextTokens, maxPositionTokens: spec.maxPositionTokens ?? 0 },
    });
  }
  for (const device of prepared.devices) {
    if (prepared.engineSettings.engine === 'vllm' && device.kind === 'unified-memory') {
      warnings.push({
        code: 'engine_device_mismatch',
        message: `vLLM does not run on Apple GPUs: ${device.id} is planned as if it did`,
        data: { device: device.id, engine: 'vllm' },
      });
    }
  }
  return [...warnings, ...windowWarnings(prepared), ...speedWarnings(prepared)];
}

/** Says when the engine runs a model's sliding-window layers with full attention. */
function windowWarnings(prepared: PreparedPlan): CapacityWarning[] {
  const { spec } = prepared;
  const engine = prepared.engineSettings.engine;
  const windowed = spec.layers.some(
    (layer) => layer.mixer.kind === 'attention' && layer.mixer.window !== null,
  );
  if (!windowed || !ignoresWindows(spec, engine)) return [];
  return [
    {
      code: 'sliding_window_ignored',
      message: `${engine} runs ${spec.modelType} with full attention on every layer`,
      data: { modelType: spec.modelType, engine },
    },
  ];
}

/** Where a speed rests on an estimate rather than measured rows, said once per cause. */
function speedWarnings(prepared: PreparedPlan): CapacityWarning[] {
  const { gpus, parallelism } = prepared;
  const engine = prepared.engineSettings.engine;
  const warnings: CapacityWarning[] = [];
  for (const device of prepared.devices) {
    if (device.kind === 'cpu') {
      const share = Math.round(CPU_DECODE_BANDWIDTH_SHARE * 100);
      warnings.push({
        code: 'estimate',
        message:
          `${device.id}: CPU decode planned at ${share} % of the DRAM peak (an estimate; no ` +
          'measured CPU rows) and prefill at the GPU share of peak FLOPs',
        data: { device: device.id, kind: device.kind, bandwidthShare: CPU_DECODE_BANDWIDTH_SHARE },
      });
    } else if (!decodeConstants(device.kind).measured) {
      warnings.push({
        code: 'estimate',
        message: `no measured speeds for ${device.kind} devices: ${device.id} uses GPU constants`,
        data: { device: device.id, kind: device.kind },
      });
    }
    if (gpus > 1 && parallelism === 'tensor' && !keepsLayersWhole(engine)) {
      const link = tensorParallelLink(device, gpus);
      if (link.scope === 'network') {
        warnings.push({
          code: 'estimate',
          message:
            `tensor parallelism over ${gpus} ${device.id} GPUs crosses hosts: every ` +
            `all-reduce goes over ${link.link.generation} (an estimate: ` +
            `${link.link.bandwidthGBs} GB/s, ${link.allReduceSeconds * 1e6} us each); ` +
            'pipeline parallelism between hosts is usually faster',
          data: { device: device.id, gpus, linkGBs: link.link.bandwidthGBs },
        });
      }
    }
  }
  if (engine === 'vllm') warnings.push(...vllmSpeedNotes(prepared.devices));
  if (gpus > 1 && parallelism === 'tensor' && keepsLayersWhole(engine)) {
    warnings.push({
      code: 'estimate',
      message:
        `${engine}'s row split is planned at one device's decode and prefill speed: over PCIe ` +
        'it shows no speedup (llama.cpp #5619: 27 t/s row vs 40 t/s one GPU), an estimate',
      data: { engine, gpus },
    });
  }
  return warnings;
}

/**
 * Says, once per device class, that vLLM's speeds use constants fitted to llama.cpp rows: no
 * published vLLM decode or prefill measurements are in cluster.md 4.2, and vLLM's CUDA graphs
 * and tuned GEMMs usually make it faster than the llama.cpp figures suggest.
 */
function vllmSpeedNotes(devices: readonly DeviceSpec[]): CapacityWarning[] {
  const kinds = [...new Set(devices.map((device) => device.kind))];
  return kinds.map((kind) => {
    const overheadMs = decodeConstants(kind).overheadSeconds * 1000;
    const share = prefillEfficiency(kind) ?? prefillEfficiency('discrete-gpu') ?? 0.5;
    return {
      code: 'estimate',
      message:
        `vLLM speeds on ${kind} devices are estimates derived from llama.cpp measurements ` +
        `(${overheadMs.toFixed(2)} ms per-token overhead, prefill at ` +
        `${Math.round(share * 100)} % of peak FLOPs); vLLM's CUDA graphs and tuned GEMMs ` +
        'usually decode and prefill faster',
      data: { engine: 'vllm', kind, overheadMs, prefillShare: share },
    };
  });
}

/**
 * Plans one model on one or more device types. Throws `CapacityError` naming the field for
 * any invalid input; never returns NaN or a silent zero.
 */
export function plan(request: PlanRequest): PlanResult {
  const prepared = preparePlan(request);
  const { spec, gpus, engine } = prepared;
  const defaultContext = Math.min(
    contextCap(prepared) ?? unstatedLengthContext(prepared),
    DEFAULT_CONTEXT_TOKENS,
  );
  const askedContext = checkCount(
    request.contextTokens ?? defaultContext,
    'contextTokens',
    MAX_CONTEXT_SEARCH,
  );
  const clamp = ollamaContextClamp(prepared, askedContext);
  const contextTokens = clamp.tokens;
  const batch = checkCount(request.batch ?? 1, 'batch', MAX_CONCURRENCY_SEARCH);
  const price = request.priceUsdPerGpuHour;

  const running = runningSequences(prepared, 0, batch);
  const deviceMemory = engine.memoryAt(contextTokens, running);
  const perDeviceBytes = deviceTotalBytes(deviceMemory);
  const fit = prepared.devices.map((_, index) =>
    fitOnDevice(prepared, index, contextTokens, batch, price),
  );

  return {
    model: { name: spec.name, modelType: spec.modelType },
    settings: {
      weights: weightSchemeName(prepared.scheme),
      kv: prepared.kv,
      contextTokens,
      batch,
      engine: prepared.engineSettings,
      gpus,
      parallelism: prepared.parallelism,
    },
    params: prepared.model.params,
    kv: {
      bytesPerToken: kvBytesPerToken(prepared.modelKv),
      bytesPerTokenBeyondWindows: kvGrowthBytesPerToken(prepared.modelKv),
      fixedBytesPerSequence: prepared.modelKv.recurrentBytesPerSequence,
    },
    memory: {
      weightsBytes: prepared.model.weights.residentBytes,
      kvBytes: totalCacheBytes(prepared, contextTokens, running),
      activationBytes: (deviceMemory.computeBytes + deviceMemory.outputBytes) * gpus,
      overheadBytes: deviceMemory.runtimeBytes * gpus,
      totalBytes: perDeviceBytes * gpus,
      perDeviceBytes,
      parts: memoryParts(deviceMemory, engine),
    },
    fit,
    warnings: [...clamp.warnings, ...planWarnings(prepared, contextTokens, batch)],
  };
}

/**
 * The context Ollama really allocates: it lowers a num_ctx above the model's trained context
 * to that context (llm/server.go, server/sched.go effectiveModelContext: "requested context
 * size too large for model"), so the plan is sized there, with a note.
 */
function ollamaContextClamp(
  prepared: PreparedPlan,
  contextTokens: number,
): { tokens: number; warnings: CapacityWarning[] } {
  const trained = prepared.spec.maxPositionTokens;
  if (prepared.engineSettings.engine !== 'ollama' || trained === null || contextTokens <= trained) {
    return { tokens: contextTokens, warnings: [] };
  }
  return {
    tokens: trained,
    warnings: [
      {
        code: 'context_above_model_limit',
        message:
          `Ollama lowers num_ctx ${contextTokens} to the model's trained ${trained} tokens ` +
          '("requested context size too large for model"); planned at ' +
          trained,
        data: { contextTokens, maxPositionTokens: trained, plannedTokens: trained },
      },
    ],
  };
}

/**
 * The context planned when a request names none and no length is known: vLLM's 2048 for a
 * config that states no length, the planner's default elsewhere.
 */
function unstatedLengthContext(prepared: PreparedPlan): number {
  const vllm = prepared.engineSettings.engine === 'vllm';
  return vllm && prepared.engineContextLimit === null
    ? VLLM_DEFAULT_MAX_MODEL_LEN
    : DEFAULT_CONTEXT_TOKENS;
}

/** Recurrent state type per engine: llama.cpp keeps it in f32, vLLM in the model's dtype. */
function recurrentDtype(engine: EngineName): KvDtype {
  return engine === 'vllm' ? 'bf16' : 'f32';
}
