// Element types a KV cache (or recurrent state) can be stored in, and their exact sizes.

import { CapacityError } from './errors.ts';

/** KV cache element types understood by at least one engine. */
export type KvDtype =
  'f32' | 'f16' | 'bf16' | 'fp8' | 'q8_0' | 'q5_1' | 'q5_0' | 'q4_1' | 'q4_0' | 'iq4_nl';

/**
 * Bytes per block and elements per block of each KV type. llama.cpp's block formats carry an
 * f16 scale (and an offset for the _1 kinds) per 32 elements (ggml-common.h block structs);
 * fp8 is one byte with per-tensor scales (vLLM's default fp8 KV mode).
 */
const KV_BLOCKS: Record<KvDtype, { bytes: number; elements: number }> = {
  f32: { bytes: 4, elements: 1 },
  f16: { bytes: 2, elements: 1 },
  bf16: { bytes: 2, elements: 1 },
  fp8: { bytes: 1, elements: 1 },
  q8_0: { bytes: 34, elements: 32 },
  q5_1: { bytes: 24, elements: 32 },
  q5_0: { bytes: 22, elements: 32 },
  q4_1: { bytes: 20, elements: 32 },
  q4_0: { bytes: 18, elements: 32 },
  iq4_nl: { bytes: 18, elements: 32 },
};

/** Every KV type name, for option lists and validation messages. */
export const KV_DTYPES = Object.keys(KV_BLOCKS) as KvDtype[];

/** Aliases people type for the same KV types. */
const KV_ALIASES: Record<string, KvDtype> = {
  fp32: 'f32',
  float32: 'f32',
  fp16: 'f16',
  float16: 'f16',
  half: 'f16',
  auto: 'f16',
  fp8_e4m3: 'fp8',
  fp8_e5m2: 'fp8',
  e4m3: 'fp8',
  int8: 'q8_0',
};

/** Parses a KV type name (case-insensitive, with common aliases) or throws naming the field. */
export function parseKvDtype(name: string, field = 'kv'): KvDtype {
  const key = name.trim().toLowerCase();
  if (key in KV_BLOCKS) return key as KvDtype;
  const alias = KV_ALIASES[key];
  if (alias) return alias;
  throw new CapacityError('unknown_quantization', `unknown KV cache type "${name}"`, {
    field,
    expected: `one of ${KV_DTYPES.join(', ')}`,
  });
}

/**
 * Exact bytes of `elements` KV elements of type `dtype`. Block types require whole blocks; row
 * lengths in real models are multiples of 32, and a partial block is rounded up as ggml does.
 */
export function kvBytesFor(elements: number, dtype: KvDtype): number {
  const block = KV_BLOCKS[dtype];
  return Math.ceil(elements / block.elements) * block.bytes;
}

/** Bytes per element as a fraction (q8_0 = 34/32), for per-token rates and display. */
export function kvBytesPerElement(dtype: KvDtype): number {
  const block = KV_BLOCKS[dtype];
  return block.bytes / block.elements;
}

/** Whether `dtype` is one of llama.cpp's block-quantised cache types (q8_0, q4_0 ...). */
export function isBlockKvDtype(dtype: KvDtype): boolean {
  return KV_BLOCKS[dtype].elements > 1;
}
