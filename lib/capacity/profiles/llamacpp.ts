// llama.cpp's memory: weights, KV cells padded to 256, SWA and MLA rules by build, graph buffers.
//
// Rules follow llama.cpp's source (the build node-llama-cpp 3.21.1 bundles) and were checked
// against allocations of the real engine (tests/engine/llamacpp-oracle.test.ts):
// - n_ctx = pad256(context x sequences); without a unified cache each sequence is a stream of
//   pad256(n_ctx / sequences) cells (llama-context.cpp); every KV tensor is cells x row bytes.
// - sliding-window layers keep pad256(min(cells, window x (unified ? sequences : 1) + n_ubatch))
//   cells (llama-kv-cache-iswa.cpp); recurrent state is F32, one row per sequence
//   (llama-memory-recurrent.cpp); logits are n_vocab x 4 bytes per sequence on the host.
// - the compute buffer is the peak of ggml's graph allocator over a ubatch of n_ubatch tokens:
//   an estimate built from the largest live tensors of the attention, FFN and output phases.

import type { DeviceVendor } from '../devices/types.ts';
import type { CapacityWarning } from '../errors.ts';
import { CapacityError, requireNonNegativeInt, requirePositiveInt } from '../errors.ts';
import { maxOf } from '../extremes.ts';
import type { KvDtype } from '../kv-dtype.ts';
import { kvBytesFor } from '../kv-dtype.ts';
import type { LayerCache, MlaCacheForm } from '../kv.ts';
import { layerCaches } from '../kv.ts';
import type { ModelSpec, TensorSpec } from '../spec.ts';
import { llamaCppLayerDevices } from './llamacpp-layers.ts';
import type {
  DeviceMemory,
  EngineModelInput,
  LlamaCppSettings,
  MemoryPart,
  PartNotes,
  PreparedEngine,
} from './types.ts';

/**
 * llama.cpp build assumed when none is given: about the release that node-llama-cpp 3.21.1
 * bundles (llama.cpp of September 2026). Only the MLA cache form depends on it.
 */
export const LLAMACPP_CURRENT_BUILD = 9600;

/**
 * llama.cpp defaults: `-fa auto` (on wherever the backend runs flash attention, which the CPU,
 * CUDA and Metal backends do for common head sizes), `-b 2048`, `-ub 512`, one KV stream per
 * sequence (`--kv-unified` off).
 */
export const LLAMACPP_DEFAULTS: LlamaCppSettings = {
  engine: 'llama.cpp',
  build: LLAMACPP_CURRENT_BUILD,
  flashAttention: true,
  batchTokens: 2048,
  ubatchTokens: 512,
  unifiedKv: false,
  fitTargetBytes: 1024 * 2 ** 20,
};

/**
 * Device memory a CUDA process holds beyond llama.cpp's buffers (the CUDA context, cuBLAS
 * handles and kernel images, as nvidia-smi shows them): 0.3 to 0.5 GiB depending on driver,
 * GPU and lazy module loading. An estimate; 400 MiB assumed.
 */
export const CUDA_CONTEXT_BYTES = 400 * 2 ** 20;

/**
 * What llama.cpp can use of `usableBytes` on a device of `vendor`: less the CUDA context on
 * NVIDIA GPUs and the `--fit` margin it keeps free.
 */
export function llamaCppBudgetBytes(
  usableBytes: number,
  settings: Pick<LlamaCppSettings, 'fitTargetBytes'>,
  vendor?: DeviceVendor,
): number {
  const context = vendor === 'nvidia' ? CUDA_CONTEXT_BYTES : 0;
  return Math.max(0, usableBytes - context - settings.fitTargetBytes);
}

/**
 * First builds of the MLA cache forms. PR #12801 (merged April 2025) cached the latent as K and
 * again as V; PR #19067 (merged January 2026) dropped the V copy. The release numbers are not
 * recorded here: these values are estimates from the merge dates, and callers that know the
 * boundary for their build pass their own to `llamaCppMlaForm`.
 */
export const LLAMACPP_MLA_BUILDS = { latentKv: 5130, latent: 7830 } as const;

/** MLA cache form of a build (capacity.md 3.1): per-head K/V, latent K + V, or latent K only. */
export function llamaCppMlaForm(
  build: number,
  boundaries: { latentKv: number; latent: number } = LLAMACPP_MLA_BUILDS,
): MlaCacheForm {
  if (build >= boundaries.latent) return 'latent';
  if (build >= boundaries.latentKv) return 'latent_kv';
  return 'decompressed';
}

/** Cells llama.cpp pads every cache to (`GGML_PAD(n_ctx, 256)`, llama-context.cpp). */
const CELL_PAD = 256;

function pad256(value: number): number {
  return Math.ceil(value / CELL_PAD) * CELL_PAD;
}

/** Context sizes llama.cpp derives from a request, all in tokens (cells). */
export interface LlamaCppCells {
  /** n_ctx: all cells of the full-attention cache over every stream. */
  nCtx: number;
  /** Cells per stream of the full-attention cache (n_ctx_seq). */
  kvCells: number;
  /** KV streams: one per sequence, or one shared stream with `--kv-unified`. */
  streams: number;
  /** Cells per stream of the sliding-window cache (null when no layer slides). */
  swaCells: number | null;
  nBatch: number;
  nUbatch: number;
}

/**
 * Cell counts for `contextTokens` per sequence and `sequences` sequences: n_ctx =
 * pad256(context x sequences); per stream pad256(n_ctx / sequences) cells (llama-context.cpp);
 * sliding layers pad256(min(cells, window x (unified ? sequences : 1) + n_ubatch)) cells
 * (llama-kv-cache-iswa.cpp), or all cells with `--swa-full`.
 */
export function llamaCppCells(
  contextTokens: number,
  sequences: number,
  settings: LlamaCppSettings,
  windowTokens: number | null,
  swaFull = false,
): LlamaCppCells {
  let nCtx = pad256(contextTokens * sequences);
  let kvCells = nCtx;
  let streams = 1;
  if (!settings.unifiedKv) {
    kvCells = pad256(Math.floor(nCtx / sequences));
    streams = sequences;
    nCtx = kvCells * sequences;
  }

  const nBatch = Math.min(nCtx, settings.batchTokens);
  const nUbatch = Math.min(nBatch, settings.ubatchTokens);

  let swaCells: number | null = null;
  if (windowTokens !== null) {
    const held = windowTokens * (settings.unifiedKv ? sequences : 1) + nUbatch;
    swaCells = swaFull ? kvCells : pad256(Math.min(kvCells, held));
  }
  return { nCtx, kvCells, streams, swaCells, nBatch, nUbatch };
}

/** KV types llama.cpp's `--cache-type-k/-v` accept. */
const CACHE_TYPES: readonly KvDtype[] = [
  'f32',
  'f16',
  'bf16',
  'q8_0',
  'q5_1',
  'q5_0',
  'q4_1',
  'q4_0',
  'iq4_nl',
];

function isBlockType(dtype: KvDtype): boolean {
  return dtype !== 'f32' && dtype !== 'f16' && dtype !== 'bf16';
}

/** llama.cpp's own graph builders whose attention and FFN match `llama`'s buffer phases. */
const LLAMA_GRAPH_FAMILY = new Set(['llama', 'mistral', 'mixtral', 'qwen2', 'qwen3', 'granite']);

/** Architectures whose graph has gemma's extra norms and soft-capping (llama.cpp gemma*.cpp). */
const GEMMA_GRAPH_FAMILY = new Set(['gemma', 'gemma2', 'gemma3', 'gemma3_text']);

/** Architectures llama.cpp runs without sliding windows even when the config names one. */
export const WINDOW_IGNORED = new Set(['llama', 'mistral']);

type GraphFamily = 'llama' | 'gemma' | 'recurrent';

/**
 * Live tensors at each phase's peak, in multiples of R = n_embd x T x 4 bytes (one f32 row of
 * the residual stream per ubatch token). Read from the node order of llama.cpp's graphs and
 * ggml-alloc's best-fit reuse, then measured: in the attention phase the KQ scores sit over the
 * residual, the normed input, Q and the KQV output; in the FFN phase gate, up and GLU outputs
 * sit over the residual, the normed input and freed holes; the logits reuse the freed mask but
 * not the residual and result norm below it.
 */
const PHASE_ROWS: Record<'llama' | 'gemma', { attention: number; ffn: number; ffnFlash: number }> =
  {
    llama: { attention: 5, ffn: 3, ffnFlash: 4 },
    gemma: { attention: 2, ffn: 1, ffnFlash: 1 },
  };

/** What the compute-buffer estimate needs to know about the model and the cells. */
interface GraphShape {
  family: GraphFamily;
  hidden: number;
  vocab: number;
  /** Widest FFN a token passes through (experts x width for MoE), in elements. */
  ffnElements: number;
  /** Cells per stream of each attention cache (full, sliding) that has layers. */
  cacheCells: number[];
  /** Largest heads x cells over attention layers: the KQ scores per token without FA. */
  scoreElements: number;
  /** Widest V row of any layer, which llama.cpp pads every V row to without FA. */
  vRowElementsMax: number;
  /** Whether this device computes the output layer (the logits phase). */
  withOutput: boolean;
}

/**
 * Estimated bytes of llama.cpp's compute buffer for one ubatch of `tokens` tokens: the peak of
 * the attention, FFN and output phases. With T tokens, R = hidden x T x 4, F = ffn x T x 4,
 * L = vocab x T x 4 (logits of every ubatch token, f32), inputs I = 12T (token ids, positions,
 * output ids) + per cache 8T of K row ids and 8T of V row ids (8T x V row width when V is
 * stored transposed without FA), and masks M = cells x T x (2 with FA, f16; 4 without, f32):
 * - attention without FA: I + M + KQ + aR with KQ = heads x cells x T x 4 (soft-max in place);
 * - FFN: I + M + 3F + bR (gate, up and the GLU output alive together);
 * - output: L + 2R + 4T, the logits placed over the freed inputs and mask;
 * - recurrent models: max(L + 3R + 8T + 32, 13R) (the SSM phase holds about 13 rows).
 * Byte-exact for Llama-3.1-8B (f16 KV, 1 to 2 sequences, ubatch 128 to 2048, context up to
 * 128k) and for tiny llama and MoE models with flash attention; within about 6 % for tiny
 * models without it and for gemma2. Known misses: a quantized KV cache adds about R once the
 * mask reaches R; an f32 KV cache with FA adds f16 copies of K and V.
 */
function computeBytes(shape: GraphShape, tokens: number, flashAttention: boolean): number {
  const rowBytes = (elements: number) => elements * tokens * 4;
  const r = rowBytes(shape.hidden);
  const logits = rowBytes(shape.vocab);
  const output = shape.withOutput ? logits + 2 * r + 4 * tokens : 0;

  if (shape.family === 'recurrent') {
    return Math.max(shape.withOutput ? logits + 3 * r + 8 * tokens + 32 : 0, 13 * r);
  }

  const rows = PHASE_ROWS[shape.family];
  const vIdsPerToken = flashAttention ? 8 : 8 * shape.vRowElementsMax;
  const inputs = 12 * tokens + shape.cacheCells.length * (8 * tokens + vIdsPerToken * tokens);
  const maskBytes = flashAttention ? 2 : 4;
  const masks = shape.cacheCells.reduce((sum, cells) => sum + cells * tokens * maskBytes, 0);
  const ffn = inputs + masks + 3 * rowBytes(shape.ffnElements);

  if (flashAttention) return Math.max(ffn + rows.ffnFlash * r, output);
  const attention = inputs + masks + rowBytes(shape.scoreElements) + rows.attention * r;
  return Math.max(attention, ffn + rows.ffn * r, output);
}

/** Widest FFN of any layer: dense width, or routed expert width times experts per token. */
function widestFfn(tensors: readonly TensorSpec[]): number {
  let widest = 0;
  for (const tensor of tensors) {
    if (tensor.role !== 'ffn_up' && tensor.role !== 'ffn_gate_up') continue;
    const rows = tensor.shape[0] ?? 0;
    const width = tensor.role === 'ffn_gate_up' ? rows / 2 : rows;
    widest = Math.max(widest, width * (tensor.group === 'experts' ? tensor.activeCopies : 1));
  }
  return widest;
}

function graphFamily(spec: ModelSpec, caches: readonly LayerCache[]): GraphFamily {
  const mixing = caches.filter((cache) => cache.kind !== 'none');
  if (mixing.length > 0 && mixing.every((cache) => cache.kind === 'recurrent')) {
    return 'recurrent';
  }
  return GEMMA_GRAPH_FAMILY.has(spec.modelType) ? 'gemma' : 'llama';
}

/** One layer's cache as llama.cpp stores it: full or sliding cells, or recurrent rows. */
interface StoredLayer {
  cache: LayerCache;
  /** Which cache holds the layer: full-length, sliding-window, recurrent, or none. */
  store: 'full' | 'swa' | 'recurrent' | 'none';
  heads: number;
}

/** The per-layer rules bound to one model and cache types, reused for every context size. */
interface BoundModel {
  layers: StoredLayer[];
  family: GraphFamily;
  windowTokens: number | null;
  /** Row bytes summed over full-cache layers, K and V apart. */
  fullKRowBytes: number;
  fullVRowBytes: number;
  swaKRowBytes: number;
  swaVRowBytes: number;
  recurrentBytesPerSequence: number;
  fullHeads: number;
  swaHeads: number;
  vRowElementsMax: number;
  ffnElements: number;
  warnings: CapacityWarning[];
}

function checkCacheTypes(k: KvDtype, v: KvDtype, flashAttention: boolean, caches: LayerCache[]) {
  for (const [field, dtype] of [
    ['kvTypeK', k],
    ['kvTypeV', v],
  ] as const) {
    if (!CACHE_TYPES.includes(dtype)) {
      throw new CapacityError(
        'unknown_quantization',
        `llama.cpp cannot store its cache as ${dtype}`,
        {
          field,
          expected: `one of ${CACHE_TYPES.join(', ')}`,
        },
      );
    }
  }
  if (isBlockType(v) && !flashAttention) {
    throw new CapacityError(
      'invalid_field',
      `llama.cpp refuses a ${v} V cache with flash attention off ` +
        '("V cache quantization requires flash_attn", llama-context.cpp)',
      { field: 'kvTypeV', expected: 'f32, f16 or bf16 when flash attention is off' },
    );
  }
  if (caches.some((cache) => cache.kind === 'mla') && k !== v) {
    throw new CapacityError('invalid_field', 'llama.cpp stores MLA caches with one type', {
      field: 'kvTypeV',
      expected: `the K type (${k}) for an MLA model`,
    });
  }
}

function storeOf(cache: LayerCache, windowIgnored: boolean): StoredLayer['store'] {
  switch (cache.kind) {
    case 'full':
    case 'mla':
      return 'full';
    case 'sliding':
      return windowIgnored ? 'full' : 'swa';
    case 'recurrent':
      return 'recurrent';
    case 'none':
      return 'none';
  }
}

/** A bound model over `layers` with no rows summed yet; `model` holds the model-wide facts. */
function emptyBound(
  layers: StoredLayer[],
  model: Pick<BoundModel, 'family' | 'vRowElementsMax' | 'ffnElements' | 'warnings'>,
): BoundModel {
  return {
    ...model,
    layers,
    windowTokens: null,
    fullKRowBytes: 0,
    fullVRowBytes: 0,
    swaKRowBytes: 0,
    swaVRowBytes: 0,
    recurrentBytesPerSequence: 0,
    fullHeads: 0,
    swaHeads: 0,
  };
}

/**
 * Sums the K and V row bytes of `bound.layers` into their caches. Without flash attention V is
 * stored transposed and every V row is padded to the widest of the model (n_embd_v_gqa_max).
 */
function addRows(bound: BoundModel, types: { k: KvDtype; v: KvDtype }, flash: boolean): void {
  for (const layer of bound.layers) {
    const cache = layer.cache;
    const kRow = kvBytesFor(cache.kElementsPerToken, types.k);
    const vElements = flash ? cache.vElementsPerToken : bound.vRowElementsMax;
    const vRowBytes = cache.vElementsPerToken > 0 ? kvBytesFor(vElements, types.v) : 0;
    if (layer.store === 'full') {
      bound.fullKRowBytes += kRow;
      bound.fullVRowBytes += vRowBytes;
      bound.fullHeads = Math.max(bound.fullHeads, layer.heads);
    } else if (layer.store === 'swa') {
      bound.swaKRowBytes += kRow;
      bound.swaVRowBytes += vRowBytes;
      bound.swaHeads = Math.max(bound.swaHeads, layer.heads);
      bound.windowTokens = Math.max(bound.windowTokens ?? 0, cache.windowTokens ?? 0);
    } else if (layer.store === 'recurrent') {
      bound.recurrentBytesPerSequence += (cache.stateElements + cache.convElements) * 4;
    }
  }
}

/** Binds llama.cpp's per-layer cache rules to a model, MLA form and cache types. */
function bindModel(
  spec: ModelSpec,
  caches: LayerCache[],
  types: { k: KvDtype; v: KvDtype },
  flashAttention: boolean,
): BoundModel {
  const warnings: CapacityWarning[] = [];
  const windowIgnored = WINDOW_IGNORED.has(spec.modelType);
  if (windowIgnored && caches.some((cache) => cache.kind === 'sliding')) {
    warnings.push({
      code: 'sliding_window_ignored',
      message: `llama.cpp runs ${spec.modelType} with full attention on every layer`,
      data: { modelType: spec.modelType },
    });
  }

  const layers: StoredLayer[] = caches.map((cache) => {
    const mixer = spec.layers[cache.layer]?.mixer;
    const heads = mixer && (mixer.kind === 'attention' || mixer.kind === 'mla') ? mixer.heads : 0;
    return { cache, store: spec.causal ? storeOf(cache, windowIgnored) : 'none', heads };
  });

  const bound = emptyBound(layers, {
    family: graphFamily(spec, caches),
    vRowElementsMax: maxOf(
      caches.map((cache) => cache.vElementsPerToken),
      0,
    ),
    ffnElements: widestFfn(spec.tensors),
    warnings,
  });
  addRows(bound, types, flashAttention);

  if (bound.family === 'llama' && !LLAMA_GRAPH_FAMILY.has(spec.modelType)) {
    warnings.push({
      code: 'estimate',
      message: `compute buffer of ${spec.modelType} estimated with llama's graph phases`,
      data: { part: 'compute', modelType: spec.modelType },
    });
  }
  return bound;
}

/** The bytes of every part at one context size, before placement on host or device. */
interface Sized {
  cells: LlamaCppCells;
  kBytes: number;
  vBytes: number;
  swaKBytes: number;
  swaVBytes: number;
  recurrentBytes: number;
  computeBytes: number;
  outputBytes: number;
}

/** Where `sizeAt` sizes: the request's cells, `--swa-full`, and whether the logits are here. */
interface SizeRequest {
  contextTokens: number;
  sequences: number;
  swaFull: boolean;
  withOutput: boolean;
}

function sizeAt(
  bound: BoundModel,
  spec: ModelSpec,
  settings: LlamaCppSettings,
  request: SizeRequest,
): Sized {
  const { contextTokens, sequences, swaFull } = request;
  const cells = llamaCppCells(contextTokens, sequences, settings, bound.windowTokens, swaFull);
  const fullRows = cells.kvCells * cells.streams;
  const swaRows = (cells.swaCells ?? 0) * cells.streams;

  const cacheCells: number[] = [];
  if (bound.fullKRowBytes > 0) cacheCells.push(cells.kvCells);
  if (bound.swaKRowBytes > 0 && cells.swaCells !== null) cacheCells.push(cells.swaCells);
  const scoreElements = Math.max(
    bound.fullHeads * cells.kvCells,
    bound.swaHeads * (cells.swaCells ?? 0),
  );

  const shape: GraphShape = {
    family: bound.family,
    hidden: spec.hiddenSize,
    vocab: spec.vocabSize,
    ffnElements: bound.ffnElements,
    cacheCells,
    scoreElements,
    vRowElementsMax: bound.vRowElementsMax,
    withOutput: request.withOutput,
  };

  return {
    cells,
    kBytes: bound.fullKRowBytes * fullRows,
    vBytes: bound.fullVRowBytes * fullRows,
    swaKBytes: bound.swaKRowBytes * swaRows,
    swaVBytes: bound.swaVRowBytes * swaRows,
    recurrentBytes: bound.recurrentBytesPerSequence * Math.max(1, sequences),
    computeBytes: computeBytes(shape, cells.nUbatch, settings.flashAttention),
    outputBytes: spec.vocabSize * 4 * sequences,
  };
}

/** Where llama.cpp puts the model: every layer on the accelerator, or all in host memory. */
export type LlamaCppPlacement = 'gpu' | 'cpu';

/** Everything `llamaCppMemory` takes; only `spec` and `contextTokens` are required. */
export interface LlamaCppRequest {
  spec: ModelSpec;
  /** Tokens each sequence can hold (llama.cpp's n_ctx is this times `sequences`). */
  contextTokens: number;
  sequences?: number;
  kvTypeK?: KvDtype;
  kvTypeV?: KvDtype;
  settings?: Partial<Omit<LlamaCppSettings, 'engine'>>;
  /** Stored bytes per tensor name; each TensorSpec's `storedBytes` is used when absent. */
  tensorBytes?: Readonly<Record<string, number>>;
  /** 'gpu' (default): all layers offloaded (`-ngl 999`); 'cpu': no accelerator. */
  placement?: LlamaCppPlacement;
  /** `--swa-full`: sliding layers keep every cell. */
  swaFull?: boolean;
  /** First builds of the MLA cache forms, when the caller knows them for its build. */
  mlaBuilds?: { latentKv: number; latent: number };
}

/** The KV cache in bytes, per kind of cache, with the cells each holds per stream. */
export interface LlamaCppKv {
  kBytes: number;
  vBytes: number;
  swaKBytes: number;
  swaVBytes: number;
  cells: LlamaCppCells;
}

/** What llama.cpp allocates for one model, context and setting, part by part. */
export interface LlamaCppMemory {
  parts: MemoryPart[];
  /** Sum of all parts, host and device. */
  totalBytes: number;
  deviceBytes: number;
  hostBytes: number;
  /** Sum of the stored tensor bytes (llama_model_size; the tied output copy not included). */
  modelBytes: number;
  kv: LlamaCppKv;
  recurrentBytes: number;
  computeBytes: number;
  outputBytes: number;
  settings: LlamaCppSettings;
  mlaForm: MlaCacheForm;
  warnings: CapacityWarning[];
}

function tensorBytesOf(tensor: TensorSpec, given?: Readonly<Record<string, number>>): number {
  const bytes = given?.[tensor.name] ?? tensor.storedBytes;
  if (bytes === undefined) {
    throw new CapacityError('missing_field', `no stored bytes for tensor ${tensor.name}`, {
      field: `tensorBytes.${tensor.name}`,
      expected: 'the bytes the GGUF stores for the tensor',
    });
  }
  if (!Number.isInteger(bytes) || bytes < 0) {
    throw new CapacityError('invalid_field', `bytes of ${tensor.name} must be a whole number`, {
      field: `tensorBytes.${tensor.name}`,
      expected: 'a non-negative integer',
    });
  }
  return bytes;
}

/** Settings with defaults filled in and each number checked. */
function resolveSettings(given: LlamaCppRequest['settings'], v: KvDtype): LlamaCppSettings {
  const settings: LlamaCppSettings = {
    ...LLAMACPP_DEFAULTS,
    ...given,
    engine: 'llama.cpp',
  };
  if (given?.flashAttention === undefined && isBlockType(v)) settings.flashAttention = true;
  requirePositiveInt(settings.build, 'settings.build');
  requirePositiveInt(settings.batchTokens, 'settings.batchTokens');
  requirePositiveInt(settings.ubatchTokens, 'settings.ubatchTokens');
  requireNonNegativeInt(settings.fitTargetBytes, 'settings.fitTargetBytes');
  return settings;
}

const SOURCES = {
  embedding: 'llama.cpp keeps the input embedding in host memory (llama-model.cpp, input layer)',
  weights: 'sum of GGUF tensor bytes (llama_model_size) less the input embedding',
  weightsTied:
    'sum of GGUF tensor bytes (llama_model_size) less the input embedding, plus the tied ' +
    'output: a copy of the embedding on the device',
  kv: 'llama-kv-cache.cpp: layers x cells (n_ctx padded to 256) x K and V row bytes per stream',
  recurrent: 'llama-memory-recurrent.cpp: F32 conv and SSM rows, one per sequence',
  compute:
    'ggml-alloc peak of the ubatch graph: KQ scores, FFN and logits phases (estimate, ' +
    'profiles/llamacpp.ts)',
  output: 'llama-context.cpp output_reserve: n_vocab x 4 bytes per sequence, host memory',
} as const;

/**
 * llama.cpp's memory for `request`, in bytes, part by part: the input embedding (host), the
 * other weights, the KV cache (full and sliding-window cells), recurrent state, the compute
 * buffer (an estimate) and the logits buffer (host). Exact parts follow llama.cpp's allocation
 * code; see the module comment for the rules and tests/engine for the measurements.
 */
export function llamaCppMemory(request: LlamaCppRequest): LlamaCppMemory {
  const spec = request.spec;
  const contextTokens = requirePositiveInt(request.contextTokens, 'contextTokens');
  const sequences = requirePositiveInt(request.sequences ?? 1, 'sequences');
  const kvTypeK = request.kvTypeK ?? 'f16';
  const kvTypeV = request.kvTypeV ?? 'f16';
  const settings = resolveSettings(request.settings, kvTypeV);
  const placement = request.placement ?? 'gpu';

  const mlaForm = llamaCppMlaForm(settings.build, request.mlaBuilds);
  const caches = layerCaches(spec, mlaForm);
  checkCacheTypes(kvTypeK, kvTypeV, settings.flashAttention, caches);
  const bound = bindModel(spec, caches, { k: kvTypeK, v: kvTypeV }, settings.flashAttention);
  const sized = sizeAt(bound, spec, settings, {
    contextTokens,
    sequences,
    swaFull: request.swaFull ?? false,
    withOutput: true,
  });

  let embeddingBytes = 0;
  let modelBytes = 0;
  for (const tensor of spec.tensors) {
    const bytes = tensorBytesOf(tensor, request.tensorBytes);
    modelBytes += bytes;
    if (tensor.role === 'token_embd') embeddingBytes += bytes;
  }
  const onGpu = placement === 'gpu';
  const tiedCopy = onGpu && spec.tiedEmbeddings ? embeddingBytes : 0;

  const warnings = [...spec.warnings, ...bound.warnings];
  if (spec.maxPositionTokens !== null && sized.cells.kvCells > spec.maxPositionTokens) {
    warnings.push({
      code: 'context_above_model_limit',
      message: 'each sequence holds more cells than the model was trained for',
      data: { cells: sized.cells.kvCells, limit: spec.maxPositionTokens },
    });
  }

  const kvBytes = sized.kBytes + sized.vBytes + sized.swaKBytes + sized.swaVBytes;
  const parts: MemoryPart[] = [
    part('weights', embeddingBytes, 'exact', SOURCES.embedding, false),
    part('weights', modelBytes - embeddingBytes + tiedCopy, 'exact', weightsSource(spec), onGpu),
  ];
  if (kvBytes > 0) parts.push(part('kv', kvBytes, 'exact', SOURCES.kv, onGpu));
  if (sized.recurrentBytes > 0) {
    parts.push(part('recurrent_state', sized.recurrentBytes, 'exact', SOURCES.recurrent, onGpu));
  }
  parts.push(part('compute', sized.computeBytes, 'estimate', SOURCES.compute, onGpu));
  parts.push(part('output', sized.outputBytes, 'exact', SOURCES.output, false));

  const deviceBytes = parts.filter((p) => p.onDevice).reduce((sum, p) => sum + p.bytes, 0);
  const hostBytes = parts.filter((p) => !p.onDevice).reduce((sum, p) => sum + p.bytes, 0);
  return {
    parts,
    totalBytes: deviceBytes + hostBytes,
    deviceBytes,
    hostBytes,
    modelBytes,
    kv: {
      kBytes: sized.kBytes,
      vBytes: sized.vBytes,
      swaKBytes: sized.swaKBytes,
      swaVBytes: sized.swaVBytes,
      cells: sized.cells,
    },
    recurrentBytes: sized.recurrentBytes,
    computeBytes: sized.computeBytes,
    outputBytes: sized.outputBytes,
    settings,
    mlaForm,
    warnings,
  };
}

/** The weights part's source: it names the tied output's copy only where there is one. */
function weightsSource(spec: ModelSpec): string {
  return spec.tiedEmbeddings ? SOURCES.weightsTied : SOURCES.weights;
}

function part(
  name: MemoryPart['name'],
  bytes: number,
  provenance: MemoryPart['provenance'],
  source: string,
  onDevice: boolean,
): MemoryPart {
  return { name, bytes, provenance, source, onDevice };
}

const NOTES: PartNotes = {
  weightsBytes: { provenance: 'exact', source: SOURCES.weights },
  kvBytes: { provenance: 'exact', source: SOURCES.kv },
  recurrentBytes: { provenance: 'exact', source: SOURCES.recurrent },
  computeBytes: { provenance: 'estimate', source: SOURCES.compute },
  outputBytes: { provenance: 'exact', source: SOURCES.output },
  runtimeBytes: {
    provenance: 'estimate',
    source:
      'llama.cpp allocates nothing else; the CUDA context (400 MiB, estimate) and the --fit ' +
      'margin come off the budget',
  },
};

/** The cache kinds of a row split: each layer's cache whole on its own device. */
const ROW_SPLIT_NOTES: PartNotes = {
  ...NOTES,
  kvBytes: {
    provenance: 'exact',
    source:
      "llama-kv-cache.cpp: each layer's cells whole on its layer's device (dev_layer); -sm row " +
      'places layers by --tensor-split as -sm layer does (llama-model.cpp load_tensors)',
  },
  computeBytes: {
    provenance: 'estimate',
    source:
      'ggml-alloc peak of the ubatch graph over the layers on this device; the logits phase ' +
      'only on the last device (estimate, profiles/llamacpp.ts)',
  },
  runtimeBytes: {
    provenance: 'estimate',
    source:
      'llama.cpp allocates nothing else; the CUDA context (400 MiB, estimate) comes off the ' +
      'budget; --fit keeps no margin under -sm row ("changing weight allocation for ' +
      'LLAMA_SPLIT_MODE_ROW not implemented, abort", common_fit_params)',
  },
};

/** One device of a row split: its layers bound, and whether it computes the output layer. */
interface RowDevice {
  bound: BoundModel;
  withOutput: boolean;
}

/**
 * The devices of a llama.cpp row split over `devices` GPUs: each holds the whole caches of the
 * layers `llamaCppLayerDevices` gives it (no head is divided or replicated, for every attention
 * kind and MLA alike), and the last also the output layer.
 */
function rowDevices(
  whole: BoundModel,
  devices: number,
  types: { k: KvDtype; v: KvDtype },
  flash: boolean,
): RowDevice[] {
  const placement = llamaCppLayerDevices(whole.layers.length, devices);
  return Array.from({ length: devices }, (_, device) => {
    const layers = whole.layers.filter((_, index) => placement[index] === device);
    const bound = emptyBound(layers, { ...whole, warnings: [] });
    addRows(bound, types, flash);
    return { bound, withOutput: device === devices - 1 };
  });
}

/** Device bytes of the parts that differ between the devices of a split. */
function varyingBytes(memory: Sized): number {
  const kv = memory.kBytes + memory.vBytes + memory.swaKBytes + memory.swaVBytes;
  return kv + memory.recurrentBytes + memory.computeBytes;
}

/** The busiest of the devices' sizes (weights are alike on all): the most cache and compute. */
function largestSized(sizes: readonly Sized[]): Sized {
  return sizes.reduce((busiest, size) =>
    varyingBytes(size) > varyingBytes(busiest) ? size : busiest,
  );
}

/**
 * Binds llama.cpp's rules to one model on the busiest device of a split (see
 * `PreparedEngine`): every layer offloaded, the input embedding and the logits in host memory.
 * Over several GPUs with tensor parallelism (`-sm row`) each device keeps the whole caches of
 * its own layers (see llamacpp-layers.ts) and computes their graph, the last one also the
 * logits; the busiest device is the one whose caches and compute buffer are largest. `--fit`
 * gives up under `-sm row` with several devices, so no `--fit-target` margin is kept there.
 */
export function prepareLlamaCpp(
  input: EngineModelInput,
  settings: LlamaCppSettings,
): PreparedEngine {
  const spec = input.spec;
  const { k, v } = input.kvDtypes;
  const flash = settings.flashAttention;
  const resolved: LlamaCppSettings = settings;
  const mlaForm = llamaCppMlaForm(settings.build);
  const caches = layerCaches(spec, mlaForm);
  checkCacheTypes(k, v, flash, caches);
  const whole = bindModel(spec, caches, { k, v }, flash);
  const devices =
    input.tensorParallel > 1
      ? rowDevices(whole, input.tensorParallel, { k, v }, flash)
      : [{ bound: whole, withOutput: true }];
  const tiedCopy = spec.tiedEmbeddings ? input.deviceEmbeddingBytes : 0;
  const fitSettings = { fitTargetBytes: devices.length > 1 ? 0 : settings.fitTargetBytes };

  return {
    notes: {
      ...(devices.length > 1 ? ROW_SPLIT_NOTES : NOTES),
      weightsBytes: { provenance: 'exact', source: weightsSource(spec) },
    },
    memoryAt(contextTokens: number, sequences: number): DeviceMemory {
      const sizeOn = (device: RowDevice) =>
        sizeAt(device.bound, spec, resolved, {
          contextTokens,
          sequences,
          swaFull: false,
          withOutput: device.withOutput,
        });
      const busiest =
        devices.length === 1 ? sizeOn(devices[0]!) : largestSized(devices.map(sizeOn));
      const kvBytes = busiest.kBytes + busiest.vBytes + busiest.swaKBytes + busiest.swaVBytes;
      return {
        weightsBytes: input.deviceWeightsBytes - input.deviceEmbeddingBytes + tiedCopy,
        kvBytes,
        recurrentBytes: busiest.recurrentBytes,
        computeBytes: busiest.computeBytes,
        outputBytes: 0,
        runtimeBytes: 0,
        hostWeightsBytes: input.hostEmbeddingBytes ?? input.deviceEmbeddingBytes,
        hostOutputBytes: busiest.outputBytes,
      };
    },
    budgetBytes(usableBytes: number, vendor?: DeviceVendor): number {
      return llamaCppBudgetBytes(usableBytes, fitSettings, vendor);
    },
  };
}
