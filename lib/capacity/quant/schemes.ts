// Weight quantisation schemes a plan can ask for, and the parser for their names.

import { CapacityError } from '../errors.ts';
import type { GgufRecipeName } from './gguf-recipes.ts';
import { findGgufRecipe, GGUF_RECIPE_NAMES } from './gguf-recipes.ts';

/** Unquantised floating-point storage. */
export type DenseDtype = 'f32' | 'f16' | 'bf16';

/** Every tensor in one floating-point type. */
export interface DenseScheme {
  kind: 'dense';
  dtype: DenseDtype;
}

/**
 * FP8 (E4M3) linear weights, one byte each, plus f32 scales: one per tensor when `blockSize` is
 * null, else one per `blockSize` x `blockSize` block (DeepSeek-V3 ships 128 x 128,
 * `weight_scale_inv`). Embeddings, head, norms and routers stay bf16.
 */
export interface Fp8Scheme {
  kind: 'fp8';
  blockSize: number | null;
}

/** INT8 linear weights with one f32 scale per output channel (LLM.int8 `SCB`, W8A16). */
export interface Int8Scheme {
  kind: 'int8';
}

/**
 * Packed integer linear weights with per-group f16 scales along the input dimension.
 * `gptq`: int32-packed weights, packed zeros, f16 scales and an int32 `g_idx` per input column;
 * `awq`: the same without `g_idx`; `compressed`: compressed-tensors pack-quantized (symmetric,
 * no zeros). `groupSize` null means one group per row (GPTQ `group_size: -1`). Embeddings, head,
 * norms and routers stay f16.
 */
export interface IntGroupScheme {
  kind: 'int-group';
  format: 'gptq' | 'awq' | 'compressed';
  bits: number;
  groupSize: number | null;
}

/**
 * bitsandbytes 4-bit (NF4 or FP4): two values per byte, one absmax per 64 values, double
 * quantised to one byte with an f32 scale per 256 absmax values, plus the per-tensor code books.
 */
export interface Nf4Scheme {
  kind: 'nf4';
}

/** gpt-oss MXFP4: routed-expert weights in 32-value blocks of 17 bytes, the rest bf16. */
export interface Mxfp4Scheme {
  kind: 'mxfp4';
}

/** A llama.cpp GGUF file type, applied tensor by tensor with llama.cpp's rules. */
export interface GgufScheme {
  kind: 'gguf';
  recipe: GgufRecipeName;
  /** Whether an importance matrix was used (it changes a few choices); null: recipe default. */
  imatrix: boolean | null;
}

/** The checkpoint as it is: stored tensor bytes when known, else its quantization_config. */
export interface CheckpointScheme {
  kind: 'checkpoint';
}

/** How weights are stored in memory. */
export type WeightScheme =
  | DenseScheme
  | Fp8Scheme
  | Int8Scheme
  | IntGroupScheme
  | Nf4Scheme
  | Mxfp4Scheme
  | GgufScheme
  | CheckpointScheme;

/** Canonical scheme names for option lists (GPTQ/AWQ accept other bits and groups too). */
export const WEIGHT_SCHEME_NAMES: readonly string[] = [
  'checkpoint',
  'f32',
  'bf16',
  'f16',
  'fp8',
  'fp8-block128',
  'int8',
  'gptq-8bit-g128',
  'gptq-4bit-g128',
  'gptq-4bit-g32',
  'gptq-3bit-g128',
  'awq-4bit-g128',
  'nf4',
  'mxfp4',
  ...GGUF_RECIPE_NAMES,
];

const DENSE_ALIASES: Record<string, DenseDtype> = {
  f32: 'f32',
  fp32: 'f32',
  float32: 'f32',
  f16: 'f16',
  fp16: 'f16',
  float16: 'f16',
  half: 'f16',
  bf16: 'bf16',
  bfloat16: 'bf16',
};

const GROUP_RE = /^(gptq|awq|compressed)-(\d+)bit(?:-g(\d+))?$/;

/** Bits each packed format can hold. */
const FORMAT_BITS: Record<IntGroupScheme['format'], readonly number[]> = {
  gptq: [2, 3, 4, 8],
  awq: [4],
  compressed: [4, 8],
};

function unknown(name: string, field: string): CapacityError {
  return new CapacityError('unknown_quantization', `unknown weight quantization "${name}"`, {
    field,
    expected: `one of ${WEIGHT_SCHEME_NAMES.join(', ')}`,
  });
}

function parseGroupScheme(match: RegExpExecArray, name: string, field: string): IntGroupScheme {
  const format = match[1] as IntGroupScheme['format'];
  const bits = Number(match[2]);
  const groupSize = match[3] === undefined ? null : Number(match[3]);
  if (!FORMAT_BITS[format].includes(bits)) {
    throw new CapacityError(
      'unknown_quantization',
      `${format} does not store ${bits}-bit weights`,
      {
        field,
        expected: `${format} with ${FORMAT_BITS[format].join(', ')} bits`,
      },
    );
  }
  if (groupSize !== null && (groupSize < 16 || (groupSize & (groupSize - 1)) !== 0)) {
    throw new CapacityError('unknown_quantization', `group size in "${name}" must be 2^n >= 16`, {
      field,
      expected: 'a group size such as g32, g64 or g128',
    });
  }
  return { kind: 'int-group', format, bits, groupSize };
}

/**
 * Parses a weight scheme name (any case): `f32` `bf16` `f16`, `fp8` (per-tensor scale),
 * `fp8-block128`, `int8`, `gptq-<bits>bit[-g<group>]`, `awq-4bit[-g<group>]`,
 * `compressed-<bits>bit[-g<group>]`, `nf4` or `bnb-4bit`, `mxfp4`, any GGUF file type
 * (`Q4_K_M`, `IQ2_M`, ...) and `checkpoint`. Unknown names throw `unknown_quantization` naming
 * `field` and listing the accepted names.
 */
export function parseWeightScheme(name: string, field = 'weights'): WeightScheme {
  const key = name.trim().toLowerCase();
  const dense = DENSE_ALIASES[key];
  if (dense) return { kind: 'dense', dtype: dense };
  if (key === 'checkpoint' || key === 'auto') return { kind: 'checkpoint' };
  if (key === 'fp8' || key === 'fp8-e4m3' || key === 'float8')
    return { kind: 'fp8', blockSize: null };
  const block = /^fp8-block([1-9]\d*)$/.exec(key);
  if (block) return { kind: 'fp8', blockSize: Number(block[1]) };
  if (key === 'int8' || key === 'bnb-8bit' || key === 'w8a16') return { kind: 'int8' };
  if (key === 'nf4' || key === 'bnb-4bit' || key === 'fp4') return { kind: 'nf4' };
  if (key === 'mxfp4') return { kind: 'mxfp4' };

  const group = GROUP_RE.exec(key);
  if (group) return parseGroupScheme(group, name, field);

  const recipe = findGgufRecipe(key);
  if (recipe) return { kind: 'gguf', recipe, imatrix: null };
  throw unknown(name, field);
}

/** The canonical name of a scheme (the inverse of `parseWeightScheme`). */
export function weightSchemeName(scheme: WeightScheme): string {
  switch (scheme.kind) {
    case 'dense':
      return scheme.dtype;
    case 'fp8':
      return scheme.blockSize === null ? 'fp8' : `fp8-block${String(scheme.blockSize)}`;
    case 'int8':
      return 'int8';
    case 'int-group': {
      const group = scheme.groupSize === null ? '' : `-g${String(scheme.groupSize)}`;
      return `${scheme.format}-${String(scheme.bits)}bit${group}`;
    }
    case 'nf4':
      return 'nf4';
    case 'mxfp4':
      return 'mxfp4';
    case 'gguf':
      return scheme.recipe;
    case 'checkpoint':
      return 'checkpoint';
  }
}
