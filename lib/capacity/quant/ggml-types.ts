// GGML tensor types: numeric ids, block sizes and exact bytes per row, as GGUF files store them.

import { CapacityError } from '../errors.ts';

/** Every tensor type a GGUF file can declare today (removed interleaved types excluded). */
export type GgmlTypeName =
  | 'F32'
  | 'F16'
  | 'Q4_0'
  | 'Q4_1'
  | 'Q5_0'
  | 'Q5_1'
  | 'Q8_0'
  | 'Q8_1'
  | 'Q2_K'
  | 'Q3_K'
  | 'Q4_K'
  | 'Q5_K'
  | 'Q6_K'
  | 'Q8_K'
  | 'IQ2_XXS'
  | 'IQ2_XS'
  | 'IQ3_XXS'
  | 'IQ1_S'
  | 'IQ4_NL'
  | 'IQ3_S'
  | 'IQ2_S'
  | 'IQ4_XS'
  | 'I8'
  | 'I16'
  | 'I32'
  | 'I64'
  | 'F64'
  | 'IQ1_M'
  | 'BF16'
  | 'TQ1_0'
  | 'TQ2_0'
  | 'MXFP4'
  | 'NVFP4'
  | 'Q1_0'
  | 'Q2_0';

/** One GGML type: its `ggml_type` id, and the bytes of one block of `blockElements` values. */
export interface GgmlTypeInfo {
  name: GgmlTypeName;
  id: number;
  blockElements: number;
  blockBytes: number;
  /** True for block-quantised types (those llama.cpp's quantiser may pick or fall back from). */
  quantized: boolean;
}

/**
 * Sizes from the block structs of ggml/src/ggml-common.h (each checked there by a static_assert),
 * ids from `enum ggml_type` in ggml.h. Super-block types hold QK_K = 256 values per block. The
 * byte arithmetic of each struct is written beside it.
 */
const TYPE_TABLE: readonly [GgmlTypeName, number, number, number][] = [
  ['F32', 0, 1, 4],
  ['F16', 1, 1, 2],
  ['Q4_0', 2, 32, 2 + 16], // d + 32 nibbles
  ['Q4_1', 3, 32, 2 + 2 + 16], // d, m + 32 nibbles
  ['Q5_0', 6, 32, 2 + 4 + 16], // d + high bits + nibbles
  ['Q5_1', 7, 32, 2 + 2 + 4 + 16],
  ['Q8_0', 8, 32, 2 + 32],
  ['Q8_1', 9, 32, 2 + 2 + 32],
  ['Q2_K', 10, 256, 16 + 64 + 2 + 2], // scales + quants + d, dmin
  ['Q3_K', 11, 256, 32 + 64 + 12 + 2], // hmask + quants + scales + d
  ['Q4_K', 12, 256, 2 + 2 + 12 + 128],
  ['Q5_K', 13, 256, 2 + 2 + 12 + 32 + 128],
  ['Q6_K', 14, 256, 128 + 64 + 16 + 2], // ql + qh + scales + d
  ['Q8_K', 15, 256, 4 + 256 + 16 * 2], // f32 d + quants + bsums
  ['IQ2_XXS', 16, 256, 2 + 32 * 2],
  ['IQ2_XS', 17, 256, 2 + 32 * 2 + 8],
  ['IQ3_XXS', 18, 256, 2 + 96],
  ['IQ1_S', 19, 256, 2 + 32 + 16],
  ['IQ4_NL', 20, 32, 2 + 16],
  ['IQ3_S', 21, 256, 2 + 13 * 8 + 4], // d + 13 * (QK_K / 32) + scales
  ['IQ2_S', 22, 256, 2 + 64 + 16],
  ['IQ4_XS', 23, 256, 2 + 2 + 4 + 128],
  ['I8', 24, 1, 1],
  ['I16', 25, 1, 2],
  ['I32', 26, 1, 4],
  ['I64', 27, 1, 8],
  ['F64', 28, 1, 8],
  ['IQ1_M', 29, 256, 32 + 16 + 8],
  ['BF16', 30, 1, 2],
  ['TQ1_0', 34, 256, 48 + 4 + 2], // base-3 quants + 4 high bytes + d
  ['TQ2_0', 35, 256, 64 + 2],
  ['MXFP4', 39, 32, 1 + 16], // E8M0 scale + 32 nibbles
  ['NVFP4', 40, 64, 4 + 32], // four UE4M3 scales + 64 nibbles
  ['Q1_0', 41, 128, 2 + 16],
  ['Q2_0', 42, 64, 2 + 16],
];

const UNQUANTIZED: ReadonlySet<GgmlTypeName> = new Set([
  'F32',
  'F16',
  'BF16',
  'F64',
  'I8',
  'I16',
  'I32',
  'I64',
]);

/** Every GGML type by name. */
export const GGML_TYPES: Readonly<Record<GgmlTypeName, GgmlTypeInfo>> = Object.fromEntries(
  TYPE_TABLE.map(([name, id, blockElements, blockBytes]) => [
    name,
    { name, id, blockElements, blockBytes, quantized: !UNQUANTIZED.has(name) },
  ]),
) as Record<GgmlTypeName, GgmlTypeInfo>;

/** Every GGML type name, in id order. */
export const GGML_TYPE_NAMES: readonly GgmlTypeName[] = TYPE_TABLE.map(([name]) => name);

const BY_ID = new Map<number, GgmlTypeInfo>(
  TYPE_TABLE.map(([name]) => [GGML_TYPES[name].id, GGML_TYPES[name]]),
);

/** Looks up a type by its `ggml_type` id, or throws `invalid_file` naming the field. */
export function ggmlTypeById(id: number, field = 'tensor type'): GgmlTypeInfo {
  const info = BY_ID.get(id);
  if (!info) {
    throw new CapacityError('invalid_file', `unknown GGML tensor type id ${String(id)}`, {
      field,
      expected: `one of ${[...BY_ID.keys()].join(', ')}`,
    });
  }
  return info;
}

/** Looks up a type by name (any case), or throws `unknown_quantization` naming the field. */
export function parseGgmlType(name: string, field = 'tensor type'): GgmlTypeInfo {
  const key = name.trim().toUpperCase();
  if (key in GGML_TYPES) return GGML_TYPES[key as GgmlTypeName];
  throw new CapacityError('unknown_quantization', `unknown GGML tensor type "${name}"`, {
    field,
    expected: `one of ${GGML_TYPE_NAMES.join(', ')}`,
  });
}

/**
 * Bytes of one row of `rowElements` values (ggml_row_size). ggml requires whole blocks per row,
 * so a row length that is not a multiple of the block throws `invalid_field`.
 */
export function ggmlRowBytes(type: GgmlTypeName, rowElements: number): number {
  const info = GGML_TYPES[type];
  if (!Number.isInteger(rowElements) || rowElements < 0) {
    throw new CapacityError('invalid_field', `row length must be a whole number of elements`, {
      field: 'shape',
      expected: 'a non-negative integer',
    });
  }
  if (rowElements % info.blockElements !== 0) {
    throw new CapacityError(
      'invalid_field',
      `a ${type} row holds whole blocks of ${String(info.blockElements)} values, ` +
        `got ${String(rowElements)}`,
      { field: 'shape', expected: `a multiple of ${String(info.blockElements)}` },
    );
  }
  return (rowElements / info.blockElements) * info.blockBytes;
}

/**
 * Exact bytes of a tensor (ggml_nbytes of a contiguous tensor): rows x row bytes. `shape` is
 * outermost first, so the row is its last dimension (GGML's ne[0]); an empty shape is a scalar.
 */
export function ggmlTensorBytes(type: GgmlTypeName, shape: readonly number[]): number {
  const rowElements = shape.length === 0 ? 1 : (shape[shape.length - 1] ?? 1);
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i += 1) rows *= shape[i] ?? 1;
  return rows * ggmlRowBytes(type, rowElements);
}

/** Bits per weight of a type (block bytes x 8 / block elements): Q4_K is 4.5, Q6_K 6.5625. */
export function ggmlBitsPerWeight(type: GgmlTypeName): number {
  const info = GGML_TYPES[type];
  return (info.blockBytes * 8) / info.blockElements;
}
