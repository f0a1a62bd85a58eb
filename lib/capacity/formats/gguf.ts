// Turns GGUF metadata and tensor infos into a ModelSpec with every tensor's stored type and bytes.

import type { CapacityWarning } from '../errors.ts';
import { CapacityError } from '../errors.ts';
import { maxOf } from '../extremes.ts';
import { MAX_EXPERTS, MAX_HEADS, MAX_HIDDEN, MAX_LAYERS, MAX_VOCAB } from '../limits.ts';
import { ggmlTensorBytes, ggmlTypeById } from '../quant/ggml-types.ts';
import type {
  CheckpointDtype,
  FfnKind,
  LayerSpec,
  Mixer,
  ModelSpec,
  MoeSummary,
  TensorSpec,
} from '../spec.ts';
import { ggufNameInfo } from './gguf-names.ts';

/** A GGUF metadata value as @huggingface/gguf returns it (integers may be bigint). */
export type GgufScalar = string | number | bigint | boolean;

/** A GGUF metadata value, scalar or (nested) array. */
export type GgufValue = GgufScalar | readonly GgufValue[];

/**
 * GGUF key/value metadata, keyed as in the file (`llama.block_count` ...). Any object is
 * accepted (the typed metadata of @huggingface/gguf as it is); values are checked when read.
 */
export type GgufMetadata = object;

/**
 * One tensor info record: `shape` is GGML's `ne`, innermost dimension first; `dtype` is the
 * `ggml_type` id. The shape of @huggingface/gguf's GGUFTensorInfo fits this as it is.
 */
export interface GgufTensorInfo {
  readonly name: string;
  readonly shape: readonly (number | bigint)[];
  readonly dtype: number;
}

/** Options of `specFromGguf`. */
export interface GgufSpecOptions {
  /** Display name; defaults to `general.name`, then the architecture. */
  name?: string;
}

/** Architectures read with their own rules; others take the generic path, with a warning. */
const KNOWN_ARCHITECTURES = new Set([
  'llama',
  'qwen2',
  'qwen2moe',
  'qwen3',
  'qwen3moe',
  'gemma',
  'gemma2',
  'gemma3',
  'mamba',
  'mamba2',
  'jamba',
  'deepseek2',
  'gpt-oss',
  'lfm2',
  'falcon',
  'gpt2',
  'phi3',
  'mistral3',
]);

/**
 * Sliding-window layer patterns llama.cpp hard-codes per architecture (`set_swa_pattern(n)`):
 * layer i slides when i % n < n - 1. A `sliding_window_pattern` key in the file wins.
 */
const SWA_PATTERNS: Record<string, number> = { gemma2: 2, gemma3: 6, 'gpt-oss': 2, cohere2: 4 };

/** Architectures that never keep a KV cache (encoders, rerankers). */
const ENCODERS = new Set(['bert', 'nomic-bert', 'jina-bert-v2', 't5encoder', 'modern-bert']);

/**
 * Upper bounds of GGUF counts that become arrays or loops, the same as a config's (limits.ts
 * says why each): a corrupt `block_count` of 1e9 fails at once instead of exhausting memory.
 */
const GGUF_LIMITS: Readonly<Record<string, number>> = {
  block_count: MAX_LAYERS,
  embedding_length: MAX_HIDDEN,
  expert_count: MAX_EXPERTS,
  expert_used_count: MAX_EXPERTS,
  'attention.head_count': MAX_HEADS,
  'attention.head_count_kv': MAX_HEADS,
  vocab_size: MAX_VOCAB,
};

/** Throws `out_of_range` when an architecture key exceeds its GGUF_LIMITS bound. */
function checkLimit(arch: string, key: string, value: number | null): void {
  const limit = GGUF_LIMITS[key];
  if (value === null || limit === undefined || value <= limit) return;
  const field = `${arch}.${key}`;
  throw new CapacityError(
    'out_of_range',
    `${field} must be at most ${String(limit)}, got ${String(value)}`,
    { field, expected: `an integer up to ${String(limit)}` },
  );
}

/** Reads typed values out of the metadata, naming the key in every error. */
class MetaReader {
  private readonly metadata: Readonly<Record<string, unknown>>;

  constructor(metadata: GgufMetadata) {
    this.metadata = metadata as Readonly<Record<string, unknown>>;
  }

  get(key: string): unknown {
    return this.metadata[key];
  }

  has(key: string): boolean {
    return this.metadata[key] !== undefined;
  }

  str(key: string): string | null {
    const value = this.metadata[key];
    if (value === undefined) return null;
    if (typeof value !== 'string') throw invalid(key, 'a string', value);
    return value;
  }

  int(key: string): number | null {
    const value = this.metadata[key];
    if (value === undefined) return null;
    return toInt(value, key);
  }

  requireInt(key: string): number {
    const value = this.int(key);
    if (value === null) {
      throw new CapacityError('missing_field', `${key} is missing`, {
        field: key,
        expected: 'a non-negative integer',
      });
    }
    return value;
  }

  /** A per-layer value stored either as one number or as an array of `layers` numbers. */
  perLayer(key: string, layers: number): number[] | null {
    const value = this.metadata[key];
    if (value === undefined) return null;
    if (!Array.isArray(value)) return new Array<number>(layers).fill(toInt(value, key));
    if (value.length !== layers) {
      throw new CapacityError(
        'invalid_field',
        `${key} has ${String(value.length)} entries for ${String(layers)} layers`,
        { field: key, expected: `one entry per layer (${String(layers)})` },
      );
    }
    return value.map((entry: unknown) => toInt(entry, key));
  }

  /** A per-layer boolean array, or null when absent or not an array. */
  boolArray(key: string): boolean[] | null {
    const value = this.metadata[key];
    if (!Array.isArray(value)) return null;
    return value.map((entry: unknown) => entry === true || entry === 1 || entry === 1n);
  }

  arrayLength(key: string): number | null {
    const value = this.metadata[key];
    return Array.isArray(value) ? value.length : null;
  }
}

function invalid(field: string, expected: string, value: unknown): CapacityError {
  return new CapacityError('invalid_field', `${field} must be ${expected}, got ${String(value)}`, {
    field,
    expected,
  });
}

function toInt(value: unknown, field: string): number {
  const number = typeof value === 'bigint' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 0) {
    throw invalid(field, 'a non-negative integer', value);
  }
  return number;
}

/** Per-layer facts gathered from the tensor names. */
interface LayerTensors {
  attention: boolean;
  mla: boolean;
  ssm: boolean;
  shortConv: boolean;
  experts: boolean;
  dense: boolean;
  sinks: boolean;
}

function emptyLayerTensors(): LayerTensors {
  return {
    attention: false,
    mla: false,
    ssm: false,
    shortConv: false,
    experts: false,
    dense: false,
    sinks: false,
  };
}

/** Reads one tensor info into a TensorSpec with exact stored bytes, and notes its layer facts. */
function readTensor(
  info: GgufTensorInfo,
  context: { decoderLayers: number; expertsUsed: number | null; facts: LayerTensors[] },
): TensorSpec {
  if (typeof info.name !== 'string' || info.name.length === 0) {
    throw new CapacityError('invalid_file', 'a GGUF tensor has no name', {
      field: 'tensor name',
      expected: 'a non-empty string',
    });
  }
  const ne = info.shape.map((dim) => toInt(dim, `${info.name} shape`));
  const type = ggmlTypeById(info.dtype, `${info.name} type`);
  const named = ggufNameInfo(info.name);

  const stacked = named.stackedExperts && ne.length >= 2;
  const copies = stacked ? (ne[ne.length - 1] ?? 1) : 1;
  const shape = (stacked ? ne.slice(0, -1) : ne).slice().reverse();
  const isMtp = named.layer !== null && named.layer >= context.decoderLayers;

  let storedBytes: number;
  try {
    storedBytes = ggmlTensorBytes(type.name, ne.slice().reverse());
  } catch (error) {
    if (!(error instanceof CapacityError)) throw error;
    throw new CapacityError('invalid_file', `${info.name}: ${error.message}`, {
      field: `${info.name} shape`,
      expected: error.expected ?? 'whole blocks per row',
    });
  }

  if (named.layer !== null && !isMtp) noteLayerFact(context.facts, named.layer, info.name);
  const used = context.expertsUsed;
  const activeCopies = isMtp ? 0 : stacked ? Math.min(used ?? copies, copies) : 1;
  return {
    name: info.name,
    shape,
    copies,
    activeCopies,
    group: isMtp ? 'mtp' : named.group,
    role: named.role,
    layer: named.layer,
    storedType: type.name,
    storedBytes,
  };
}

function noteLayerFact(facts: LayerTensors[], layer: number, name: string): void {
  const fact = facts[layer];
  if (!fact) return;
  const base = name.slice(name.indexOf('.', 4) + 1);
  if (/^attn_(q|k|v|qkv)\./.test(base)) fact.attention = true;
  if (base.startsWith('attn_kv_a_mqa.') || base.startsWith('attn_kv_b.')) fact.mla = true;
  if (base.startsWith('attn_k_b.')) fact.mla = true;
  if (base.startsWith('ssm_')) fact.ssm = true;
  if (base.startsWith('shortconv.')) fact.shortConv = true;
  if (/^ffn_(gate|up|down|gate_up)_exps\./.test(base)) fact.experts = true;
  if (/^ffn_(gate|up|down)\./.test(base)) fact.dense = true;
  if (base.startsWith('attn_sinks')) fact.sinks = true;
}

/**
 * Throws when the file has no tensors, or when its `blk.N` indices do not run to `block_count`
 * (fewer blocks, or more blocks than `block_count` minus `nextn_predict_layers` allows).
 */
function checkTensorLayers(
  arch: string,
  tensorInfos: readonly GgufTensorInfo[],
  blockCount: number,
  mtpLayers: number,
): void {
  if (tensorInfos.length === 0) {
    throw new CapacityError('invalid_file', 'the GGUF has no tensors', {
      field: 'tensor infos',
      expected: 'the tensors of a model (a header-only or vocabulary-only file is not one)',
    });
  }
  let highest = -1;
  for (const info of tensorInfos) {
    const match = /^blk\.(\d+)\./.exec(typeof info.name === 'string' ? info.name : '');
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  if (highest < 0 || highest + 1 === blockCount) return;
  const extra = highest + 1 > blockCount ? ' (nextn_predict_layers does not cover them)' : '';
  throw new CapacityError(
    'contradictory_fields',
    `${arch}.block_count says ${String(blockCount)} blocks, the tensors run blk.0 to ` +
      `blk.${String(highest)}${extra}`,
    {
      field: `${arch}.block_count`,
      expected:
        `${String(highest + 1)}, the number of blk.N tensor blocks` +
        (mtpLayers > 0 ? ` (${String(mtpLayers)} of them next-token-prediction)` : ''),
    },
  );
}

/** Which layers slide, from the file's pattern key or llama.cpp's per-architecture pattern. */
function slidingLayers(meta: MetaReader, arch: string, layers: number): boolean[] | null {
  const key = `${arch}.attention.sliding_window_pattern`;
  const flags = meta.boolArray(key);
  if (flags) {
    if (flags.length < layers) {
      throw new CapacityError('invalid_field', `${key} has fewer entries than layers`, {
        field: key,
        expected: `at least ${String(layers)} entries`,
      });
    }
    return flags.slice(0, layers);
  }
  const period = meta.int(key) ?? SWA_PATTERNS[arch] ?? null;
  if (period === null || period === 0) return null;
  return Array.from({ length: layers }, (_, i) => i % period < period - 1);
}

/** The sequence mixer of layer `i` from its tensors and the architecture's keys. */
function layerMixer(
  meta: MetaReader,
  arch: string,
  i: number,
  context: {
    facts: LayerTensors;
    embd: number;
    heads: number[] | null;
    kvHeads: number[] | null;
    window: number | null;
  },
): Mixer {
  const { facts } = context;
  const kvHeadsHere = context.kvHeads?.[i] ?? context.heads?.[i] ?? 0;

  if (facts.ssm || (arch.startsWith('mamba') && !facts.attention)) {
    return recurrentMixer(meta, arch);
  }
  if (facts.shortConv) {
    const cache = meta.requireInt(`${arch}.shortconv.l_cache`);
    return {
      kind: 'recurrent',
      variant: 'short_conv',
      stateElements: 0,
      convElements: Math.max(cache - 1, 0) * context.embd,
    };
  }
  if (facts.mla) return mlaMixer(meta, arch, context.heads?.[i] ?? 0);
  if (!facts.attention) return { kind: 'none' };

  const heads = context.heads?.[i] ?? 0;
  if (heads === 0) {
    throw new CapacityError('missing_field', `${arch}.attention.head_count is missing`, {
      field: `${arch}.attention.head_count`,
      expected: 'a positive integer per attention layer',
    });
  }
  if (kvHeadsHere === 0) {
    throw new CapacityError(
      'contradictory_fields',
      `${arch}.attention.head_count_kv is 0 for layer ${String(i)}, which has attention tensors`,
      {
        field: `${arch}.attention.head_count_kv`,
        expected: 'a positive integer per attention layer',
      },
    );
  }
  const defaultHeadDim = context.embd / heads;
  const headDimK = meta.int(`${arch}.attention.key_length`) ?? defaultHeadDim;
  const headDimV = meta.int(`${arch}.attention.value_length`) ?? defaultHeadDim;
  if (!Number.isInteger(headDimK) || !Number.isInteger(headDimV)) {
    throw new CapacityError('missing_field', `${arch}.attention.key_length is missing`, {
      field: `${arch}.attention.key_length`,
      expected: 'a head size (embedding_length is not a multiple of head_count)',
    });
  }
  return {
    kind: 'attention',
    heads,
    kvHeads: kvHeadsHere,
    headDimK,
    headDimV,
    window: context.window,
    sinkTokens: 0,
    learnedSinks: facts.sinks,
  };
}

/**
 * Mamba-1 / Mamba-2 state per sequence, as llama.cpp sizes it: ssm state d_state x d_inner,
 * conv window (d_conv - 1) x (d_inner + 2 x n_group x d_state), n_group 0 for Mamba-1.
 */
function recurrentMixer(meta: MetaReader, arch: string): Mixer {
  const inner = meta.requireInt(`${arch}.ssm.inner_size`);
  const state = meta.requireInt(`${arch}.ssm.state_size`);
  const kernel = meta.requireInt(`${arch}.ssm.conv_kernel`);
  const groups = meta.int(`${arch}.ssm.group_count`);
  return {
    kind: 'recurrent',
    variant: groups === null ? 'mamba1' : 'mamba2',
    stateElements: state * inner,
    convElements: Math.max(kernel - 1, 0) * (inner + 2 * (groups ?? 0) * state),
  };
}

/**
 * DeepSeek-style MLA. Files written after llama.cpp split `attn_kv_b` carry the per-head sizes in
 * `key_length_mla` / `value_length_mla` (and the latent sizes in `key_length` / `value_length`).
 */
function mlaMixer(meta: MetaReader, arch: string, heads: number): Mixer {
  const kvLoraRank = meta.requireInt(`${arch}.attention.kv_lora_rank`);
  const rope = meta.requireInt(`${arch}.rope.dimension_count`);
  const keyLength =
    meta.int(`${arch}.attention.key_length_mla`) ?? meta.requireInt(`${arch}.attention.key_length`);
  const valueLength =
    meta.int(`${arch}.attention.value_length_mla`) ??
    meta.requireInt(`${arch}.attention.value_length`);
  const qLoraRank = meta.int(`${arch}.attention.q_lora_rank`);
  return {
    kind: 'mla',
    heads,
    qLoraRank: qLoraRank === null || qLoraRank === 0 ? null : qLoraRank,
    kvLoraRank,
    qkNopeHeadDim: keyLength - rope,
    qkRopeHeadDim: rope,
    vHeadDim: valueLength,
  };
}

function checkpointDtype(fileType: number | null): CheckpointDtype | null {
  if (fileType === 0) return 'f32';
  if (fileType === 1) return 'f16';
  if (fileType === 32) return 'bf16';
  return null;
}

/**
 * Builds a ModelSpec from GGUF metadata and tensor infos (pure). Every tensor keeps its stored
 * GGML type and exact bytes (rows x ggml row size); stacked expert tensors (`*_exps`) become one
 * entry with `copies` = experts. Layers are read per layer: `head_count` / `head_count_kv` may be
 * arrays (LFM2, Jamba), a layer's tensors decide its kind (attention, MLA, SSM, short
 * convolution, none), and sliding layers follow the file's `sliding_window_pattern` or llama.cpp's
 * per-architecture pattern. Trailing `nextn_predict_layers` blocks are multi-token-prediction
 * layers, excluded from `layers`. Throws CapacityError naming the key for missing or bad fields.
 */
export function specFromGguf(
  metadata: GgufMetadata,
  tensorInfos: readonly GgufTensorInfo[],
  options: GgufSpecOptions = {},
): ModelSpec {
  const meta = new MetaReader(metadata);
  const arch = meta.str('general.architecture');
  if (!arch) {
    throw new CapacityError('missing_field', 'general.architecture is missing', {
      field: 'general.architecture',
      expected: 'the GGUF architecture name (llama, qwen3moe, ...)',
    });
  }
  const warnings: CapacityWarning[] = [];
  if (!KNOWN_ARCHITECTURES.has(arch)) {
    warnings.push({
      code: 'estimate',
      message: `architecture ${arch} is read through the generic path`,
      data: { architecture: arch },
    });
  }

  if (!KNOWN_ARCHITECTURES.has(arch) && !meta.has(`${arch}.block_count`)) {
    throw new CapacityError(
      'missing_field',
      `unknown GGUF architecture ${arch}; the generic path needs ${arch}.block_count, ` +
        `${arch}.embedding_length and ${arch}.attention.head_count, and the file has no ` +
        `${arch}.block_count`,
      { field: `${arch}.block_count`, expected: 'a known architecture or the generic keys' },
    );
  }
  const blockCount = meta.requireInt(`${arch}.block_count`);
  checkLimit(arch, 'block_count', blockCount);
  const embd = meta.requireInt(`${arch}.embedding_length`);
  checkLimit(arch, 'embedding_length', embd);
  const mtpLayers = meta.int(`${arch}.nextn_predict_layers`) ?? 0;
  const decoderLayers = blockCount - mtpLayers;
  if (decoderLayers <= 0) {
    throw invalid(`${arch}.nextn_predict_layers`, `below block_count (${blockCount})`, mtpLayers);
  }

  checkTensorLayers(arch, tensorInfos, blockCount, mtpLayers);

  const expertCount = meta.int(`${arch}.expert_count`) ?? 0;
  const expertsUsed = meta.int(`${arch}.expert_used_count`);
  checkLimit(arch, 'expert_count', expertCount);
  checkLimit(arch, 'expert_used_count', expertsUsed);
  const facts = Array.from({ length: decoderLayers }, emptyLayerTensors);
  const seen = new Set<string>();
  const tensors = tensorInfos.map((info) => {
    if (seen.has(info.name)) {
      throw new CapacityError('invalid_file', `tensor ${info.name} appears twice`, {
        field: 'tensor name',
        expected: 'unique tensor names',
      });
    }
    seen.add(info.name);
    return readTensor(info, { decoderLayers, expertsUsed, facts });
  });

  const heads = meta.perLayer(`${arch}.attention.head_count`, blockCount);
  const kvHeads = meta.perLayer(`${arch}.attention.head_count_kv`, blockCount);
  checkLimit(arch, 'attention.head_count', heads === null ? null : maxOf(heads, 0));
  checkLimit(arch, 'attention.head_count_kv', kvHeads === null ? null : maxOf(kvHeads, 0));
  const windowTokens = meta.int(`${arch}.attention.sliding_window`);
  const sliding = windowTokens === null ? null : slidingLayers(meta, arch, decoderLayers);
  if (windowTokens !== null && sliding === null) {
    warnings.push({
      code: 'sliding_window_ignored',
      message: `llama.cpp runs ${arch} with full attention on every layer`,
      data: { slidingWindow: windowTokens },
    });
  }

  const layers: LayerSpec[] = facts.map((fact, index) => {
    const window = sliding?.[index] ? windowTokens : null;
    const mixer = layerMixer(meta, arch, index, { facts: fact, embd, heads, kvHeads, window });
    const ffn: FfnKind = fact.experts ? 'moe' : fact.dense ? 'dense' : 'none';
    return { index, mixer, ffn };
  });

  const moeLayers = layers.filter((layer) => layer.ffn === 'moe').length;
  const moe: MoeSummary | null =
    moeLayers === 0
      ? null
      : {
          routedExperts: expertCount,
          expertsPerToken: expertsUsed ?? expertCount,
          sharedExperts:
            meta.int(`${arch}.expert_shared_count`) ??
            (tensors.some((tensor) => tensor.group === 'shared_experts') ? 1 : 0),
          moeLayers,
        };

  const embedding = tensors.find((tensor) => tensor.role === 'token_embd');
  const vocabSize =
    meta.arrayLength('tokenizer.ggml.tokens') ??
    meta.int(`${arch}.vocab_size`) ??
    embedding?.shape[0] ??
    0;
  checkLimit(arch, 'vocab_size', vocabSize);
  if (vocabSize === 0) {
    throw new CapacityError('missing_field', 'the vocabulary size is missing', {
      field: 'tokenizer.ggml.tokens',
      expected: 'the token list, `vocab_size` or a token_embd tensor',
    });
  }
  if (mtpLayers > 0) {
    warnings.push({
      code: 'mtp_layers_excluded',
      message: `${String(mtpLayers)} next-token-prediction layers are not decoder layers`,
      data: { mtpLayers },
    });
  }

  const contextLength = meta.int(`${arch}.context_length`);
  if (contextLength === 0) {
    throw new CapacityError('out_of_range', `${arch}.context_length is 0`, {
      field: `${arch}.context_length`,
      expected: 'the trained context length in tokens, above 0',
    });
  }
  const causalKey = meta.get(`${arch}.attention.causal`);
  return {
    name: options.name ?? meta.str('general.name') ?? arch,
    modelType: arch,
    source: 'gguf',
    hiddenSize: embd,
    vocabSize,
    layers,
    mtpLayers,
    tensors,
    tiedEmbeddings: !tensors.some((tensor) => tensor.role === 'output'),
    maxPositionTokens: contextLength,
    causal: !ENCODERS.has(arch) && causalKey !== false,
    moe,
    checkpoint: { dtype: checkpointDtype(meta.int('general.file_type')), quantization: null },
    warnings,
  };
}
