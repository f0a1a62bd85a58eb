// Writes safetensors and GGUF file bytes for tests: real layouts, header-only or with data.

import type { ModelSpec } from '../../lib/capacity/spec.ts';

/** One tensor to write into a safetensors header. */
export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: readonly number[];
}

const DTYPE_BYTES: Record<string, number> = {
  BF16: 2,
  F16: 2,
  F32: 4,
  I32: 4,
  I64: 8,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
};

function elements(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/**
 * A safetensors file: 8-byte little-endian header length, the JSON header padded with spaces
 * to a multiple of 8, then `dataBytes` zero bytes of tensor data (by default none: a
 * header-only file, as a planner needs).
 */
export function safetensorsBytes(
  tensors: readonly SafetensorsTensor[],
  options: { metadata?: Record<string, string>; withData?: boolean } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (options.metadata) header.__metadata__ = options.metadata;
  let offset = 0;
  for (const tensor of tensors) {
    const size = elements(tensor.shape) * (DTYPE_BYTES[tensor.dtype] ?? 1);
    header[tensor.name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const data = options.withData ? offset : 0;
  const bytes = new Uint8Array(8 + text.length + data);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(text.length), true);
  bytes.set(text, 8);
  return bytes;
}

/** The safetensors tensors of a spec (one entry per expert for expert tensors), in `dtype`. */
export function tensorsOfSpec(spec: ModelSpec, dtype = 'BF16'): SafetensorsTensor[] {
  return spec.tensors.flatMap((tensor) => {
    if (tensor.copies === 1) return [{ name: tensor.name, dtype, shape: tensor.shape }];
    return Array.from({ length: tensor.copies }, (_, expert) => ({
      name: tensor.name.replace('.*.', `.${String(expert)}.`),
      dtype,
      shape: tensor.shape,
    }));
  });
}

/** A GGUF metadata value with its GGUF type. */
export type GgufEntry =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'u64'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'i32[]'; value: number[] }
  | { type: 'bool[]'; value: boolean[] }
  | { type: 'string[]'; value: string[] };

/** A tensor info to write: GGML `ne` (innermost first) and type id. */
export interface GgufTensor {
  name: string;
  ne: readonly number[];
  type: number;
}

/** Little-endian byte writer. */
class Writer {
  private chunks: number[] = [];

  u8(value: number): void {
    this.chunks.push(value & 0xff);
  }

  u32(value: number): void {
    for (let i = 0; i < 4; i += 1) this.u8(Math.floor(value / 2 ** (8 * i)));
  }

  u64(value: number): void {
    this.u32(value % 2 ** 32);
    this.u32(Math.floor(value / 2 ** 32));
  }

  f32(value: number): void {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    for (let i = 0; i < 4; i += 1) this.u8(view.getUint8(i));
  }

  string(value: string): void {
    const bytes = new TextEncoder().encode(value);
    this.u64(bytes.length);
    for (const byte of bytes) this.u8(byte);
  }

  get length(): number {
    return this.chunks.length;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const TYPE_IDS = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10 };

function writeValue(writer: Writer, entry: GgufEntry): void {
  switch (entry.type) {
    case 'u32':
    case 'i32':
      writer.u32(TYPE_IDS[entry.type]);
      writer.u32(entry.value >>> 0);
      return;
    case 'u64':
      writer.u32(TYPE_IDS.u64);
      writer.u64(entry.value);
      return;
    case 'f32':
      writer.u32(TYPE_IDS.f32);
      writer.f32(entry.value);
      return;
    case 'bool':
      writer.u32(TYPE_IDS.bool);
      writer.u8(entry.value ? 1 : 0);
      return;
    case 'string':
      writer.u32(TYPE_IDS.string);
      writer.string(entry.value);
      return;
    case 'i32[]':
      writer.u32(TYPE_IDS.array);
      writer.u32(TYPE_IDS.i32);
      writer.u64(entry.value.length);
      for (const value of entry.value) writer.u32(value >>> 0);
      return;
    case 'bool[]':
      writer.u32(TYPE_IDS.array);
      writer.u32(TYPE_IDS.bool);
      writer.u64(entry.value.length);
      for (const value of entry.value) writer.u8(value ? 1 : 0);
      return;
    case 'string[]':
      writer.u32(TYPE_IDS.array);
      writer.u32(TYPE_IDS.string);
      writer.u64(entry.value.length);
      for (const value of entry.value) writer.string(value);
      return;
  }
}

/**
 * A GGUF v3 file: magic, version, counts, metadata, tensor infos (offsets packed in order,
 * each aligned to 32), padding to 32, then `dataBytes` zero bytes (header-only by default).
 */
export function ggufBytes(
  metadata: Record<string, GgufEntry>,
  tensors: readonly GgufTensor[],
  options: { tensorBytes?: (tensor: GgufTensor) => number; dataBytes?: number } = {},
): Uint8Array {
  const writer = new Writer();
  for (const byte of new TextEncoder().encode('GGUF')) writer.u8(byte);
  writer.u32(3);
  writer.u64(tensors.length);
  writer.u64(Object.keys(metadata).length);
  for (const [key, entry] of Object.entries(metadata)) {
    writer.string(key);
    writeValue(writer, entry);
  }
  let offset = 0;
  for (const tensor of tensors) {
    writer.string(tensor.name);
    writer.u32(tensor.ne.length);
    for (const dim of tensor.ne) writer.u64(dim);
    writer.u32(tensor.type);
    writer.u64(offset);
    const size = options.tensorBytes?.(tensor) ?? 0;
    offset += Math.ceil(size / 32) * 32;
  }
  while (writer.length % 32 !== 0) writer.u8(0);
  const header = writer.bytes();
  const file = new Uint8Array(header.length + (options.dataBytes ?? 0));
  file.set(header);
  return file;
}
