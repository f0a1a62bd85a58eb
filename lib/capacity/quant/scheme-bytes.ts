// Exact bytes of one copy of a tensor under a non-GGUF scheme, including scales and zeros.

import type { TensorSpec } from '../spec.ts';
import type { DenseDtype, WeightScheme } from './schemes.ts';

/** Bytes per element of the dense types. */
export const DENSE_BYTES: Readonly<Record<DenseDtype, number>> = { f32: 4, f16: 2, bf16: 2 };

/** Roles of the matrices quantised schemes act on (linear projections). */
const LINEAR_ROLES = new Set([
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_qkv',
  'attn_kv',
  'attn_output',
  'attn_q_a',
  'attn_q_b',
  'attn_kv_a',
  'attn_kv_b',
  'ffn_gate',
  'ffn_up',
  'ffn_gate_up',
  'ffn_down',
  'ssm_in',
  'ssm_x',
  'ssm_dt',
  'ssm_out',
]);

/** Groups quantisers leave in floating point even when the role is a projection. */
const KEPT_GROUPS = new Set(['embedding', 'head', 'norm', 'router', 'vision']);

/** True for a linear projection weight of the decoder (what GPTQ, AWQ, FP8 and bnb quantise). */
export function isLinearWeight(tensor: TensorSpec): boolean {
  return (
    tensor.shape.length >= 2 && LINEAR_ROLES.has(tensor.role) && !KEPT_GROUPS.has(tensor.group)
  );
}

/** Elements of one copy. */
export function elementsOf(tensor: TensorSpec): number {
  let elements = 1;
  for (const dim of tensor.shape) elements *= dim;
  return elements;
}

/** Rows (output channels) and columns (input features, the innermost dimension) of one copy. */
function rowsAndColumns(tensor: TensorSpec): { rows: number; columns: number } {
  const columns = tensor.shape[tensor.shape.length - 1] ?? 1;
  return { rows: columns === 0 ? 0 : elementsOf(tensor) / columns, columns };
}

/** Bytes of whole int32 words holding `values` values of `bits` bits each. */
function packedWords(values: number, bits: number): number {
  return Math.ceil((values * bits) / 32) * 4;
}

/**
 * GPTQ (AutoGPTQ layout): qweight int32 [in x bits / 32, out], qzeros int32
 * [groups, out x bits / 32], scales f16 [groups, out], g_idx int32 [in].
 */
function gptqBytes(rows: number, columns: number, bits: number, groups: number): number {
  const qweight = packedWords(columns, bits) * rows;
  const qzeros = groups * packedWords(rows, bits);
  return qweight + qzeros + groups * rows * 2 + columns * 4;
}

/** AWQ (GEMM layout): qweight int32 [in, out x bits / 32], qzeros alike per group, f16 scales. */
function awqBytes(rows: number, columns: number, bits: number, groups: number): number {
  const packedRow = packedWords(rows, bits);
  return columns * packedRow + groups * packedRow + groups * rows * 2;
}

/**
 * compressed-tensors pack-quantized (symmetric): weight_packed int32 [out, in x bits / 32],
 * weight_scale 16-bit [out, groups], weight_shape int64 [2].
 */
function compressedBytes(rows: number, columns: number, bits: number, groups: number): number {
  return rows * packedWords(columns, bits) + rows * groups * 2 + 2 * 8;
}

/**
 * bitsandbytes 4-bit: packed values (2 per byte), absmax per 64 values double-quantised to
 * uint8, an f32 nested absmax per 256 absmax values, the nested code book (256 x f32) and the
 * 4-bit code book (16 x f32). The quant-state JSON blob is not a tensor and is left out.
 */
function nf4Bytes(elements: number): number {
  const blocks = Math.ceil(elements / 64);
  return Math.ceil(elements / 2) + blocks + 4 * Math.ceil(blocks / 256) + 256 * 4 + 16 * 4;
}

/** One copy's bytes and the storage type label under a non-GGUF, non-checkpoint scheme. */
export interface CopyBytes {
  type: string;
  bytes: number;
}

/**
 * Bytes of one copy of `tensor` under `scheme`. Linear projections take the scheme's format;
 * everything else (embeddings, head, norms, routers, biases, vision) stays in `keepDtype`.
 * Formulas: dense elements x size; fp8 one byte + f32 scale per tensor or per block x block
 * tile (DeepSeek-V3 `weight_scale_inv`); int8 one byte + f32 scale per output row; the packed
 * layouts above; MXFP4 17 bytes per 32 values on routed-expert projections (gpt-oss).
 */
export function copyBytes(
  tensor: TensorSpec,
  scheme: Exclude<WeightScheme, { kind: 'gguf' } | { kind: 'checkpoint' }>,
  keepDtype: DenseDtype,
): CopyBytes {
  const elements = elementsOf(tensor);
  if (scheme.kind === 'dense') {
    return { type: scheme.dtype, bytes: elements * DENSE_BYTES[scheme.dtype] };
  }
  const keep = { type: keepDtype, bytes: elements * DENSE_BYTES[keepDtype] };
  if (!isLinearWeight(tensor)) return keep;

  const { rows, columns } = rowsAndColumns(tensor);
  switch (scheme.kind) {
    case 'fp8': {
      const size = scheme.blockSize;
      const scales = size === null ? 1 : Math.ceil(rows / size) * Math.ceil(columns / size);
      return { type: 'fp8', bytes: elements + scales * 4 };
    }
    case 'int8':
      return { type: 'int8', bytes: elements + rows * 4 };
    case 'int-group': {
      const groups = scheme.groupSize === null ? 1 : Math.ceil(columns / scheme.groupSize);
      const type = `${scheme.format}-int${String(scheme.bits)}`;
      if (scheme.format === 'gptq') {
        return { type, bytes: gptqBytes(rows, columns, scheme.bits, groups) };
      }
      if (scheme.format === 'awq') {
        return { type, bytes: awqBytes(rows, columns, scheme.bits, groups) };
      }
      return { type, bytes: compressedBytes(rows, columns, scheme.bits, groups) };
    }
    case 'nf4':
      return { type: 'nf4', bytes: nf4Bytes(elements) };
    case 'mxfp4':
      if (tensor.group !== 'experts') return keep;
      return { type: 'mxfp4', bytes: rows * Math.ceil(columns / 32) * 17 };
  }
}
