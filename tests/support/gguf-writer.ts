// Writes GGUF v3 files from scratch (no dependency): tiny models with data, or header-only ones.
//
// Layout (ggml/include/gguf.h): magic "GGUF", version 3, tensor count (u64), metadata count
// (u64), the metadata key/value pairs, one info per tensor (name, dims innermost first, ggml
// type, offset into the data section), zero padding to `general.alignment` (32 by default), then
// each tensor's data at its aligned offset. A header-only file stops after the padding: the
// offsets still describe a real-size model, which node-llama-cpp's estimators accept.
//
// Model builders return the file description together with the ModelSpec that the capacity
// library should derive from it, so a test can compare the profile with llama.cpp directly.

import { writeFileSync } from 'node:fs';

import type {
  AttentionMixer,
  FfnKind,
  LayerSpec,
  ModelSpec,
  ParamGroup,
  RecurrentMixer,
  TensorRole,
  TensorSpec,
} from '../../lib/capacity/spec.ts';

/** Scalar GGUF value types, with their on-disk type ids (gguf.h `enum gguf_type`). */
const GGUF_SCALAR_IDS = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;

const GGUF_ARRAY_ID = 9;

/** Name of a scalar GGUF value type. */
export type GgufScalarType = keyof typeof GGUF_SCALAR_IDS;

/** One metadata value: a scalar of a given type, or an array of one scalar type. */
export type GgufValue =
  | { type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32'; value: number }
  | { type: 'float32' | 'float64'; value: number }
  | { type: 'uint64' | 'int64'; value: number | bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | {
      type: 'array';
      itemType: GgufScalarType;
      items: readonly (number | bigint | boolean | string)[];
    };

/** Constructors for metadata values, so builders read like the GGUF dump they produce. */
export const gguf = {
  u8: (value: number): GgufValue => ({ type: 'uint8', value }),
  i8: (value: number): GgufValue => ({ type: 'int8', value }),
  u16: (value: number): GgufValue => ({ type: 'uint16', value }),
  i16: (value: number): GgufValue => ({ type: 'int16', value }),
  u32: (value: number): GgufValue => ({ type: 'uint32', value }),
  i32: (value: number): GgufValue => ({ type: 'int32', value }),
  f32: (value: number): GgufValue => ({ type: 'float32', value }),
  f64: (value: number): GgufValue => ({ type: 'float64', value }),
  u64: (value: number | bigint): GgufValue => ({ type: 'uint64', value }),
  i64: (value: number | bigint): GgufValue => ({ type: 'int64', value }),
  bool: (value: boolean): GgufValue => ({ type: 'bool', value }),
  str: (value: string): GgufValue => ({ type: 'string', value }),
  arr: (itemType: GgufScalarType, items: readonly (number | bigint | boolean | string)[]) =>
    ({ type: 'array', itemType, items }) as GgufValue,
};

/**
 * ggml tensor types the writer knows: type id, elements per block, bytes per block, and where a
 * block keeps its f16 scale(s) so that data blocks can be made valid (ggml-common.h structs).
 */
const GGML_TYPES = {
  F32: { id: 0, blockElements: 1, blockBytes: 4, headHalves: 0, tailHalves: 0 },
  F16: { id: 1, blockElements: 1, blockBytes: 2, headHalves: 0, tailHalves: 0 },
  Q4_0: { id: 2, blockElements: 32, blockBytes: 18, headHalves: 1, tailHalves: 0 },
  Q4_1: { id: 3, blockElements: 32, blockBytes: 20, headHalves: 2, tailHalves: 0 },
  Q5_0: { id: 6, blockElements: 32, blockBytes: 22, headHalves: 1, tailHalves: 0 },
  Q5_1: { id: 7, blockElements: 32, blockBytes: 24, headHalves: 2, tailHalves: 0 },
  Q8_0: { id: 8, blockElements: 32, blockBytes: 34, headHalves: 1, tailHalves: 0 },
  Q2_K: { id: 10, blockElements: 256, blockBytes: 84, headHalves: 0, tailHalves: 2 },
  Q3_K: { id: 11, blockElements: 256, blockBytes: 110, headHalves: 0, tailHalves: 1 },
  Q4_K: { id: 12, blockElements: 256, blockBytes: 144, headHalves: 2, tailHalves: 0 },
  Q5_K: { id: 13, blockElements: 256, blockBytes: 176, headHalves: 2, tailHalves: 0 },
  Q6_K: { id: 14, blockElements: 256, blockBytes: 210, headHalves: 0, tailHalves: 1 },
  IQ4_NL: { id: 20, blockElements: 32, blockBytes: 18, headHalves: 1, tailHalves: 0 },
  IQ4_XS: { id: 23, blockElements: 256, blockBytes: 136, headHalves: 1, tailHalves: 0 },
  BF16: { id: 30, blockElements: 1, blockBytes: 2, headHalves: 0, tailHalves: 0 },
} as const;

/** A ggml tensor type the writer can describe (and, for all of them, fill with valid data). */
export type GgmlTypeName = keyof typeof GGML_TYPES;

/** The ggml type id written in a tensor info. */
export function ggmlTypeId(type: GgmlTypeName): number {
  return GGML_TYPES[type].id;
}

/** How a tensor's data is filled when the file carries data. */
export type TensorFill = 'random' | 'ones';

/** One tensor of a GGUF file. `ne` is ggml's order: innermost (row) dimension first. */
export interface GgufTensor {
  name: string;
  ne: readonly number[];
  type: GgmlTypeName;
  fill?: TensorFill;
}

/** Everything a GGUF file holds apart from tensor data. */
export interface GgufFileDescription {
  metadata: readonly (readonly [string, GgufValue])[];
  tensors: readonly GgufTensor[];
}

/** Options of `encodeGguf`. */
export interface GgufWriteOptions {
  /** 'random': write data for every tensor; 'none': header-only file. */
  data: 'random' | 'none';
  /** Seed of the deterministic generator used for tensor data. */
  seed?: number;
}

/**
 * Exact stored bytes of one tensor: rows of `ne[0]` elements in whole blocks, times the other
 * dimensions (ggml_nbytes for a contiguous tensor). Throws when a row is not whole blocks.
 */
export function ggmlTensorBytes(type: GgmlTypeName, ne: readonly number[]): number {
  const info = GGML_TYPES[type];
  const rowElements = ne[0] ?? 1;
  if (rowElements % info.blockElements !== 0) {
    throw new Error(`a ${type} row needs a multiple of ${info.blockElements} elements`);
  }

  let rows = 1;
  for (const dim of ne.slice(1)) rows *= dim;
  return (rowElements / info.blockElements) * info.blockBytes * rows;
}

/** Grows a little-endian byte buffer; GGUF is little-endian throughout. */
class ByteSink {
  private bytes = new Uint8Array(1 << 16);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < this.length + extra) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  scalar(type: GgufScalarType, value: number | bigint | boolean | string): void {
    if (type === 'string') return this.string(String(value));
    if (type === 'bool') return this.u8(value ? 1 : 0);
    this.reserve(8);
    const at = this.length;
    const n = Number(value);
    switch (type) {
      case 'uint8':
        this.view.setUint8(at, n);
        this.length += 1;
        return;
      case 'int8':
        this.view.setInt8(at, n);
        this.length += 1;
        return;
      case 'uint16':
        this.view.setUint16(at, n, true);
        this.length += 2;
        return;
      case 'int16':
        this.view.setInt16(at, n, true);
        this.length += 2;
        return;
      case 'uint32':
        this.view.setUint32(at, n, true);
        this.length += 4;
        return;
      case 'int32':
        this.view.setInt32(at, n, true);
        this.length += 4;
        return;
      case 'float32':
        this.view.setFloat32(at, n, true);
        this.length += 4;
        return;
      case 'float64':
        this.view.setFloat64(at, n, true);
        this.length += 8;
        return;
      case 'uint64':
        this.view.setBigUint64(at, BigInt(value as number | bigint), true);
        this.length += 8;
        return;
      case 'int64':
        this.view.setBigInt64(at, BigInt(value as number | bigint), true);
        this.length += 8;
        return;
    }
  }

  u32(value: number): void {
    this.scalar('uint32', value);
  }

  u64(value: number): void {
    this.scalar('uint64', BigInt(value));
  }

  string(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.u64(encoded.length);
    this.raw(encoded);
  }

  raw(chunk: Uint8Array): void {
    this.reserve(chunk.length);
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  padTo(alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0);
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** mulberry32: a small deterministic generator, so generated models are reproducible. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** IEEE half-precision bits of a float (round to nearest; values here are small and finite). */
function toHalfBits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  if (exponent >= 31) return sign | 0x7c00;
  return sign | (exponent << 10) | Math.round(mantissa / 8192);
}

/** Data bytes of one tensor: small random weights, ones for norms, valid block scales. */
function tensorData(tensor: GgufTensor, random: () => number): Uint8Array {
  const info = GGML_TYPES[tensor.type];
  const bytes = new Uint8Array(ggmlTensorBytes(tensor.type, tensor.ne));
  const view = new DataView(bytes.buffer);
  const weight = () => (tensor.fill === 'ones' ? 1 : (random() - 0.5) * 0.04);

  if (tensor.type === 'F32') {
    for (let i = 0; i < bytes.length; i += 4) view.setFloat32(i, weight(), true);
    return bytes;
  }
  if (tensor.type === 'F16') {
    for (let i = 0; i < bytes.length; i += 2) view.setUint16(i, toHalfBits(weight()), true);
    return bytes;
  }
  if (tensor.type === 'BF16') {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let i = 0; i < bytes.length; i += 2) {
      f32[0] = weight();
      view.setUint16(i, (u32[0] ?? 0) >>> 16, true);
    }
    return bytes;
  }

  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  const scaleBits = toHalfBits(tensor.fill === 'ones' ? 1 / 64 : 1 / 4096);
  for (let block = 0; block < bytes.length; block += info.blockBytes) {
    for (let h = 0; h < info.headHalves; h++) view.setUint16(block + 2 * h, scaleBits, true);
    for (let h = 0; h < info.tailHalves; h++) {
      view.setUint16(block + info.blockBytes - 2 * (h + 1), scaleBits, true);
    }
  }
  return bytes;
}

/** Reads `general.alignment` from the metadata, or the GGUF default of 32 bytes. */
function alignmentOf(description: GgufFileDescription): number {
  const entry = description.metadata.find(([key]) => key === 'general.alignment');
  if (!entry) return 32;
  const value = entry[1];
  if (value.type !== 'uint32' || value.value <= 0 || value.value % 8 !== 0) {
    throw new Error('general.alignment must be a uint32 multiple of 8');
  }
  return value.value;
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  if (value.type === 'array') {
    sink.u32(GGUF_ARRAY_ID);
    sink.u32(GGUF_SCALAR_IDS[value.itemType]);
    sink.u64(value.items.length);
    for (const item of value.items) sink.scalar(value.itemType, item);
    return;
  }
  sink.u32(GGUF_SCALAR_IDS[value.type]);
  sink.scalar(value.type, value.value);
}

/**
 * Encodes a GGUF v3 file. Tensor data offsets are aligned to `general.alignment`; with
 * `data: 'none'` the file ends after the header padding (a header-only file at real size).
 */
export function encodeGguf(
  description: GgufFileDescription,
  options: GgufWriteOptions,
): Uint8Array {
  const alignment = alignmentOf(description);
  const sink = new ByteSink();

  sink.raw(new TextEncoder().encode('GGUF'));
  sink.u32(3);
  sink.u64(description.tensors.length);
  sink.u64(description.metadata.length);

  for (const [key, value] of description.metadata) {
    sink.string(key);
    writeValue(sink, value);
  }

  let offset = 0;
  for (const tensor of description.tensors) {
    sink.string(tensor.name);
    sink.u32(tensor.ne.length);
    for (const dim of tensor.ne) sink.u64(dim);
    sink.u32(GGML_TYPES[tensor.type].id);
    sink.u64(offset);
    offset += ggmlTensorBytes(tensor.type, tensor.ne);
    offset = Math.ceil(offset / alignment) * alignment;
  }
  sink.padTo(alignment);

  if (options.data === 'random') {
    const random = makeRandom(options.seed ?? 1);
    for (const tensor of description.tensors) {
      sink.raw(tensorData(tensor, random));
      sink.padTo(alignment);
    }
  }
  return sink.result();
}

/** Writes `encodeGguf`'s bytes to `path` and returns the file size in bytes. */
export function writeGgufFile(
  path: string,
  description: GgufFileDescription,
  options: GgufWriteOptions,
): number {
  const bytes = encodeGguf(description, options);
  writeFileSync(path, bytes);
  return bytes.length;
}

// Model builders: tensor names and metadata keys as llama.cpp's loaders expect them.

/** Weight storage of a generated model: one type for all matrices, or llama.cpp's Q4_K_M mix. */
export type WeightScheme = 'F32' | 'F16' | 'Q8_0' | 'Q4_0' | 'Q4_K_M';

/** A generated model: its GGUF description and the ModelSpec the capacity library should see. */
export interface GeneratedModel extends GgufFileDescription {
  spec: ModelSpec;
}

/** Shape of a llama-architecture model (dense or MoE). */
export interface LlamaShape {
  name?: string;
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  /** Head dimension; defaults to embedding / heads. */
  headDim?: number;
  feedForward: number;
  vocab: number;
  contextLength?: number;
  weights: WeightScheme;
  /** Routed experts and experts used per token, for a Mixtral-style MoE. */
  experts?: { count: number; used: number };
  /** Leave out output.weight so llama.cpp reuses token_embd (tied embeddings). */
  tiedEmbeddings?: boolean;
  /** Add llama-3 style `rope_freqs.weight` (headDim / 2 floats). */
  ropeFreqs?: boolean;
}

/** Shape of a gemma2 model: alternate sliding-window (even layers) and global layers. */
export interface Gemma2Shape {
  name?: string;
  layers: number;
  embedding: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  feedForward: number;
  vocab: number;
  slidingWindow: number;
  contextLength?: number;
  weights: WeightScheme;
}

/** Shape of a Mamba-1 model (llama.cpp supports expand = 2 only: dInner = 2 x embedding). */
export interface MambaShape {
  name?: string;
  layers: number;
  embedding: number;
  vocab: number;
  stateSize: number;
  convKernel: number;
  timeStepRank: number;
  contextLength?: number;
  weights: WeightScheme;
}

/**
 * Tokenizer metadata for an SPM ("llama") vocabulary of `size` unique tokens: <unk>, <s>, </s>,
 * the 256 byte tokens <0x00>..<0xFF> (so llama.cpp finds its newline token), then plain words.
 */
export function spmVocabMetadata(size: number): [string, GgufValue][] {
  if (size < 259) throw new Error('an SPM vocabulary needs at least 259 tokens');
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [2, 3, 3];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  for (let i = tokens.length; i < size; i++) {
    tokens.push(`\u2581t${i}`);
    types.push(1);
  }
  return [
    ['tokenizer.ggml.model', gguf.str('llama')],
    ['tokenizer.ggml.tokens', gguf.arr('string', tokens)],
    ['tokenizer.ggml.token_type', gguf.arr('int32', types)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(1)],
    ['tokenizer.ggml.eos_token_id', gguf.u32(2)],
  ];
}

/** llama.cpp's `use_more_bits` (llama-quant.cpp): layers that Q4_K_M stores at Q6_K. */
function usesMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.floor(layers / 8);
  return layer < eighth || layer >= Math.floor((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

/**
 * Storage type of a tensor under a weight scheme. 1-D tensors stay F32 (as llama-quantize
 * leaves them); Q4_K_M follows llama-quant.cpp: output Q6_K, attn_v and ffn_down Q6_K on the
 * `use_more_bits` layers, Q4_K elsewhere (Q8_0 for rows that are not whole 256-blocks).
 */
function typeFor(
  scheme: WeightScheme,
  role: TensorRole,
  ne: readonly number[],
  layer: number | null,
  layers: number,
): GgmlTypeName {
  if (ne.length === 1 || role === 'norm' || role === 'bias') return 'F32';
  if (scheme !== 'Q4_K_M') return scheme;
  if (role === 'output') return 'Q6_K';
  if ((role === 'attn_v' || role === 'ffn_down') && layer !== null && usesMoreBits(layer, layers)) {
    return 'Q6_K';
  }
  return (ne[0] ?? 0) % 256 === 0 ? 'Q4_K' : 'Q8_0';
}

/** A tensor as the builders describe it before the file and spec views are made. */
interface BuiltTensor {
  name: string;
  ne: number[];
  role: TensorRole;
  group: ParamGroup;
  layer: number | null;
  copies: number;
  activeCopies: number;
  /** Force a type (for tensors llama.cpp requires in F32 whatever the scheme, such as ssm_a). */
  type?: GgmlTypeName;
}

/** Turns built tensors into GGUF tensors and TensorSpecs with stored types and bytes. */
function finishTensors(built: BuiltTensor[], scheme: WeightScheme, layers: number) {
  const tensors: GgufTensor[] = [];
  const specs: TensorSpec[] = [];
  for (const t of built) {
    const type = t.type ?? typeFor(scheme, t.role, t.ne, t.layer, layers);
    const tensor: GgufTensor = { name: t.name, ne: t.ne, type };
    if (t.role === 'norm') tensor.fill = 'ones';
    tensors.push(tensor);

    const perCopy = t.copies > 1 ? t.ne.slice(0, -1) : t.ne;
    specs.push({
      name: t.name,
      shape: [...perCopy].reverse(),
      copies: t.copies,
      activeCopies: t.activeCopies,
      group: t.group,
      role: t.role,
      layer: t.layer,
      storedType: type,
      storedBytes: ggmlTensorBytes(type, t.ne),
    });
  }
  return { tensors, specs };
}

function dense(
  name: string,
  ne: number[],
  role: TensorRole,
  group: ParamGroup,
  layer: number | null,
): BuiltTensor {
  return { name, ne, role, group, layer, copies: 1, activeCopies: 1 };
}

function baseSpec(fields: {
  name: string;
  modelType: string;
  hiddenSize: number;
  vocabSize: number;
  layers: LayerSpec[];
  tensors: TensorSpec[];
  tiedEmbeddings: boolean;
  contextLength: number;
}): ModelSpec {
  return {
    name: fields.name,
    modelType: fields.modelType,
    source: 'gguf',
    hiddenSize: fields.hiddenSize,
    vocabSize: fields.vocabSize,
    layers: fields.layers,
    mtpLayers: 0,
    tensors: fields.tensors,
    tiedEmbeddings: fields.tiedEmbeddings,
    maxPositionTokens: fields.contextLength,
    causal: true,
    moe: null,
    checkpoint: { dtype: null, quantization: null },
    warnings: [],
  };
}

function attention(
  heads: number,
  kvHeads: number,
  headDim: number,
  window: number | null,
): AttentionMixer {
  return {
    kind: 'attention',
    heads,
    kvHeads,
    headDimK: headDim,
    headDimV: headDim,
    window,
    sinkTokens: 0,
    learnedSinks: false,
  };
}

/**
 * A llama-architecture model (`general.architecture = llama`): GQA, MHA (kvHeads = heads) or
 * MQA (kvHeads = 1), dense or with Mixtral-style experts. Tensor names and shapes follow
 * llama.cpp's `llama_model_llama::load_arch_tensors`.
 */
export function buildLlama(shape: LlamaShape): GeneratedModel {
  const headDim = shape.headDim ?? shape.embedding / shape.heads;
  const { layers: n, embedding: e, vocab, feedForward: ff } = shape;
  const contextLength = shape.contextLength ?? 4096;
  const experts = shape.experts;

  const metadata: [string, GgufValue][] = [
    ['general.architecture', gguf.str('llama')],
    ['general.name', gguf.str(shape.name ?? 'generated-llama')],
    ['llama.context_length', gguf.u32(contextLength)],
    ['llama.embedding_length', gguf.u32(e)],
    ['llama.block_count', gguf.u32(n)],
    ['llama.feed_forward_length', gguf.u32(ff)],
    ['llama.attention.head_count', gguf.u32(shape.heads)],
    ['llama.attention.head_count_kv', gguf.u32(shape.kvHeads)],
    ['llama.attention.key_length', gguf.u32(headDim)],
    ['llama.attention.value_length', gguf.u32(headDim)],
    ['llama.rope.dimension_count', gguf.u32(headDim)],
    ['llama.rope.freq_base', gguf.f32(500000)],
    ['llama.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
    ['llama.vocab_size', gguf.u32(vocab)],
  ];
  if (experts) {
    metadata.push(['llama.expert_count', gguf.u32(experts.count)]);
    metadata.push(['llama.expert_used_count', gguf.u32(experts.used)]);
  }
  metadata.push(...spmVocabMetadata(vocab));

  const built: BuiltTensor[] = [
    dense('token_embd.weight', [e, vocab], 'token_embd', 'embedding', null),
  ];
  if (shape.ropeFreqs) {
    built.push({
      ...dense('rope_freqs.weight', [headDim / 2], 'other', 'other', null),
      type: 'F32',
    });
  }
  built.push(dense('output_norm.weight', [e], 'norm', 'norm', null));
  if (!shape.tiedEmbeddings) built.push(dense('output.weight', [e, vocab], 'output', 'head', null));

  const layers: LayerSpec[] = [];
  for (let i = 0; i < n; i++) {
    const blk = `blk.${i}`;
    built.push(dense(`${blk}.attn_norm.weight`, [e], 'norm', 'norm', i));
    built.push(dense(`${blk}.attn_q.weight`, [e, shape.heads * headDim], 'attn_q', 'attention', i));
    built.push(
      dense(`${blk}.attn_k.weight`, [e, shape.kvHeads * headDim], 'attn_k', 'attention', i),
    );
    built.push(
      dense(`${blk}.attn_v.weight`, [e, shape.kvHeads * headDim], 'attn_v', 'attention', i),
    );
    built.push(
      dense(`${blk}.attn_output.weight`, [shape.heads * headDim, e], 'attn_output', 'attention', i),
    );
    built.push(dense(`${blk}.ffn_norm.weight`, [e], 'norm', 'norm', i));
    if (experts) {
      const c = experts.count;
      const u = experts.used;
      built.push(dense(`${blk}.ffn_gate_inp.weight`, [e, c], 'ffn_gate_inp', 'router', i));
      const expert = (name: string, ne: number[], role: TensorRole): BuiltTensor => ({
        ...dense(`${blk}.${name}.weight`, ne, role, 'experts', i),
        copies: c,
        activeCopies: u,
      });
      built.push(expert('ffn_gate_exps', [e, ff, c], 'ffn_gate'));
      built.push(expert('ffn_down_exps', [ff, e, c], 'ffn_down'));
      built.push(expert('ffn_up_exps', [e, ff, c], 'ffn_up'));
    } else {
      built.push(dense(`${blk}.ffn_gate.weight`, [e, ff], 'ffn_gate', 'mlp', i));
      built.push(dense(`${blk}.ffn_down.weight`, [ff, e], 'ffn_down', 'mlp', i));
      built.push(dense(`${blk}.ffn_up.weight`, [e, ff], 'ffn_up', 'mlp', i));
    }
    const ffn: FfnKind = experts ? 'moe' : 'dense';
    layers.push({ index: i, mixer: attention(shape.heads, shape.kvHeads, headDim, null), ffn });
  }

  const { tensors, specs } = finishTensors(built, shape.weights, n);
  const spec = baseSpec({
    name: shape.name ?? 'generated-llama',
    modelType: 'llama',
    hiddenSize: e,
    vocabSize: vocab,
    layers,
    tensors: specs,
    tiedEmbeddings: shape.tiedEmbeddings ?? false,
    contextLength,
  });
  if (experts) {
    spec.moe = {
      routedExperts: experts.count,
      expertsPerToken: experts.used,
      sharedExperts: 0,
      moeLayers: n,
    };
  }
  return { metadata, tensors, spec };
}

/**
 * A gemma2 model: even layers use a sliding window, odd layers attend globally (llama.cpp
 * `set_swa_pattern(2)`); the output reuses token_embd. Names follow `llama_model_gemma2`.
 */
export function buildGemma2(shape: Gemma2Shape): GeneratedModel {
  const { layers: n, embedding: e, vocab, feedForward: ff, headDim } = shape;
  const contextLength = shape.contextLength ?? 8192;

  const metadata: [string, GgufValue][] = [
    ['general.architecture', gguf.str('gemma2')],
    ['general.name', gguf.str(shape.name ?? 'generated-gemma2')],
    ['gemma2.context_length', gguf.u32(contextLength)],
    ['gemma2.embedding_length', gguf.u32(e)],
    ['gemma2.block_count', gguf.u32(n)],
    ['gemma2.feed_forward_length', gguf.u32(ff)],
    ['gemma2.attention.head_count', gguf.u32(shape.heads)],
    ['gemma2.attention.head_count_kv', gguf.u32(shape.kvHeads)],
    ['gemma2.attention.key_length', gguf.u32(headDim)],
    ['gemma2.attention.value_length', gguf.u32(headDim)],
    ['gemma2.attention.layer_norm_rms_epsilon', gguf.f32(1e-6)],
    ['gemma2.attention.sliding_window', gguf.u32(shape.slidingWindow)],
    ['gemma2.attn_logit_softcapping', gguf.f32(50)],
    ['gemma2.final_logit_softcapping', gguf.f32(30)],
    ...spmVocabMetadata(vocab),
  ];

  const built: BuiltTensor[] = [
    dense('token_embd.weight', [e, vocab], 'token_embd', 'embedding', null),
    dense('output_norm.weight', [e], 'norm', 'norm', null),
  ];
  const layers: LayerSpec[] = [];
  for (let i = 0; i < n; i++) {
    const blk = `blk.${i}`;
    built.push(dense(`${blk}.attn_norm.weight`, [e], 'norm', 'norm', i));
    built.push(dense(`${blk}.attn_q.weight`, [e, shape.heads * headDim], 'attn_q', 'attention', i));
    built.push(
      dense(`${blk}.attn_k.weight`, [e, shape.kvHeads * headDim], 'attn_k', 'attention', i),
    );
    built.push(
      dense(`${blk}.attn_v.weight`, [e, shape.kvHeads * headDim], 'attn_v', 'attention', i),
    );
    built.push(
      dense(`${blk}.attn_output.weight`, [shape.heads * headDim, e], 'attn_output', 'attention', i),
    );
    built.push(dense(`${blk}.post_attention_norm.weight`, [e], 'norm', 'norm', i));
    built.push(dense(`${blk}.ffn_norm.weight`, [e], 'norm', 'norm', i));
    built.push(dense(`${blk}.ffn_gate.weight`, [e, ff], 'ffn_gate', 'mlp', i));
    built.push(dense(`${blk}.ffn_up.weight`, [e, ff], 'ffn_up', 'mlp', i));
    built.push(dense(`${blk}.ffn_down.weight`, [ff, e], 'ffn_down', 'mlp', i));
    built.push(dense(`${blk}.post_ffw_norm.weight`, [e], 'norm', 'norm', i));
    const window = i % 2 === 0 ? shape.slidingWindow : null;
    layers.push({
      index: i,
      mixer: attention(shape.heads, shape.kvHeads, headDim, window),
      ffn: 'dense',
    });
  }

  const { tensors, specs } = finishTensors(built, shape.weights, n);
  const spec = baseSpec({
    name: shape.name ?? 'generated-gemma2',
    modelType: 'gemma2',
    hiddenSize: e,
    vocabSize: vocab,
    layers,
    tensors: specs,
    tiedEmbeddings: true,
    contextLength,
  });
  return { metadata, tensors, spec };
}

/**
 * A Mamba-1 model (`general.architecture = mamba`), tensors as in `llama_model_mamba`. Each
 * layer's recurrent state is d_state x d_inner (SSM) plus (d_conv - 1) x d_inner (conv).
 */
export function buildMamba(shape: MambaShape): GeneratedModel {
  const { layers: n, embedding: e, vocab } = shape;
  const dInner = 2 * e;
  const { stateSize: dState, convKernel: dConv, timeStepRank: dtRank } = shape;
  const contextLength = shape.contextLength ?? 1 << 20;

  const metadata: [string, GgufValue][] = [
    ['general.architecture', gguf.str('mamba')],
    ['general.name', gguf.str(shape.name ?? 'generated-mamba')],
    ['mamba.context_length', gguf.u32(contextLength)],
    ['mamba.embedding_length', gguf.u32(e)],
    ['mamba.block_count', gguf.u32(n)],
    ['mamba.feed_forward_length', gguf.u32(0)],
    ['mamba.attention.head_count', gguf.u32(0)],
    ['mamba.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
    ['mamba.ssm.conv_kernel', gguf.u32(dConv)],
    ['mamba.ssm.inner_size', gguf.u32(dInner)],
    ['mamba.ssm.state_size', gguf.u32(dState)],
    ['mamba.ssm.time_step_rank', gguf.u32(dtRank)],
    ...spmVocabMetadata(vocab),
  ];

  const built: BuiltTensor[] = [
    dense('token_embd.weight', [e, vocab], 'token_embd', 'embedding', null),
    dense('output_norm.weight', [e], 'norm', 'norm', null),
    dense('output.weight', [e, vocab], 'output', 'head', null),
  ];
  const layers: LayerSpec[] = [];
  for (let i = 0; i < n; i++) {
    const blk = `blk.${i}`;
    const f32 = (t: BuiltTensor): BuiltTensor => ({ ...t, type: 'F32' });
    built.push(dense(`${blk}.attn_norm.weight`, [e], 'norm', 'norm', i));
    built.push(dense(`${blk}.ssm_in.weight`, [e, 2 * dInner], 'ssm_in', 'ssm', i));
    built.push(f32(dense(`${blk}.ssm_conv1d.weight`, [dConv, dInner], 'ssm_conv', 'ssm', i)));
    built.push(dense(`${blk}.ssm_conv1d.bias`, [dInner], 'bias', 'ssm', i));
    built.push(dense(`${blk}.ssm_x.weight`, [dInner, dtRank + 2 * dState], 'ssm_x', 'ssm', i));
    built.push(f32(dense(`${blk}.ssm_dt.weight`, [dtRank, dInner], 'ssm_dt', 'ssm', i)));
    built.push(dense(`${blk}.ssm_dt.bias`, [dInner], 'bias', 'ssm', i));
    built.push(f32(dense(`${blk}.ssm_a`, [dState, dInner], 'ssm_a', 'ssm', i)));
    built.push(dense(`${blk}.ssm_d`, [dInner], 'ssm_d', 'ssm', i));
    built.push(dense(`${blk}.ssm_out.weight`, [dInner, e], 'ssm_out', 'ssm', i));
    const mixer: RecurrentMixer = {
      kind: 'recurrent',
      variant: 'mamba1',
      stateElements: dState * dInner,
      convElements: (dConv - 1) * dInner,
    };
    layers.push({ index: i, mixer, ffn: 'none' });
  }

  const { tensors, specs } = finishTensors(built, shape.weights, n);
  const spec = baseSpec({
    name: shape.name ?? 'generated-mamba',
    modelType: 'mamba',
    hiddenSize: e,
    vocabSize: vocab,
    layers,
    tensors: specs,
    tiedEmbeddings: false,
    contextLength,
  });
  return { metadata, tensors, spec };
}

/**
 * Llama-3.1-8B's shape (32 layers, 4096 hidden, 32/8 heads of 128, 14336 FFN, 128256 vocab,
 * rope_freqs) stored as llama.cpp's Q4_K_M mix; meant to be written header-only (about 3 MB).
 */
export function llama31_8bQ4KM(): GeneratedModel {
  return buildLlama({
    name: 'Llama-3.1-8B Q4_K_M (shape only)',
    layers: 32,
    embedding: 4096,
    heads: 32,
    kvHeads: 8,
    feedForward: 14336,
    vocab: 128256,
    contextLength: 131072,
    weights: 'Q4_K_M',
    ropeFreqs: true,
  });
}
