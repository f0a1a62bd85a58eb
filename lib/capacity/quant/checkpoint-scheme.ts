// Turns a checkpoint's own quantization_config and torch_dtype into the scheme its tensors use.

import type { CapacityWarning } from '../errors.ts';
import { CapacityError } from '../errors.ts';
import type { CheckpointQuantization, ModelSpec } from '../spec.ts';
import type { DenseDtype, WeightScheme } from './schemes.ts';

/** A checkpoint's storage: the scheme of its quantised tensors and what the rest is kept in. */
export interface CheckpointStorage {
  scheme: Exclude<WeightScheme, { kind: 'gguf' } | { kind: 'checkpoint' }>;
  keepDtype: DenseDtype;
  /** True for tensors `quantization_config` leaves unquantised (`modules_to_not_convert`). */
  isExcluded: (tensorName: string) => boolean;
  warnings: CapacityWarning[];
}

/** Bits a GPTQ checkpoint can store. */
const GPTQ_BITS = [2, 3, 4, 8];

/**
 * A module pattern as Hugging Face quantisers read them: `re:` prefix for a regular expression,
 * `*` wildcards for a glob, otherwise a substring of the tensor name.
 */
function patternMatcher(pattern: string): (name: string) => boolean {
  if (pattern.startsWith('re:')) {
    const regex = new RegExp(pattern.slice(3));
    return (name) => regex.test(name);
  }
  if (pattern.includes('*')) {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*');
    const regex = new RegExp(`(^|\\.)${escaped}(\\.|$)`);
    return (name) => regex.test(name);
  }
  return (name) => name.includes(pattern);
}

function requireBits(
  quantization: CheckpointQuantization,
  accepted: readonly number[],
  warnings: CapacityWarning[],
): number {
  if (quantization.bits === null) {
    warnings.push({
      code: 'estimate',
      message: `${quantization.method} bits not given; 4 assumed`,
      data: { field: 'quantization_config.bits', assumedBits: 4 },
    });
    return 4;
  }
  if (!accepted.includes(quantization.bits)) {
    throw new CapacityError(
      'unknown_quantization',
      `${quantization.method} with ${String(quantization.bits)} bits is not supported`,
      { field: 'quantization_config.bits', expected: accepted.join(', ') },
    );
  }
  return quantization.bits;
}

/**
 * FP8 block side from the config's group size, which counts elements per scale (128 x 128 =
 * 16384 for `weight_block_size: [128, 128]`); a non-square count is taken as the side itself.
 */
function fp8BlockSide(groupSize: number | null): number | null {
  if (groupSize === null) return null;
  const side = Math.round(Math.sqrt(groupSize));
  return side * side === groupSize ? side : groupSize;
}

function quantizedScheme(
  quantization: CheckpointQuantization,
  warnings: CapacityWarning[],
): CheckpointStorage['scheme'] {
  const groupSize = quantization.groupSize;
  switch (quantization.method) {
    case 'gptq':
      return {
        kind: 'int-group',
        format: 'gptq',
        bits: requireBits(quantization, GPTQ_BITS, warnings),
        groupSize,
      };
    case 'awq':
      return {
        kind: 'int-group',
        format: 'awq',
        bits: requireBits(quantization, [4], warnings),
        groupSize,
      };
    case 'bitsandbytes':
      return quantization.bits === 8 ? { kind: 'int8' } : { kind: 'nf4' };
    case 'fp8':
      return { kind: 'fp8', blockSize: fp8BlockSide(groupSize) };
    case 'mxfp4':
      return { kind: 'mxfp4' };
    case 'compressed-tensors': {
      const bits = requireBits(quantization, [4, 8], warnings);
      if (bits === 8 && groupSize === null) return { kind: 'int8' };
      return { kind: 'int-group', format: 'compressed', bits, groupSize };
    }
    case 'other':
      throw new CapacityError('unknown_quantization', 'the checkpoint quantization is not known', {
        field: 'quantization_config.quant_method',
        expected: 'gptq, awq, bitsandbytes, fp8, mxfp4 or compressed-tensors',
      });
  }
}

/**
 * How a checkpoint stores tensors that carry no stored bytes: its quantization_config method
 * (GPTQ, AWQ, bitsandbytes, FP8, MXFP4, compressed-tensors) for linear weights, and torch_dtype
 * for the rest. A missing torch_dtype means float32 (as transformers assumes), or float16 for a
 * quantised checkpoint, with a warning.
 */
export function checkpointStorage(spec: ModelSpec): CheckpointStorage {
  const warnings: CapacityWarning[] = [];
  const { dtype, quantization } = spec.checkpoint;
  const assumed: DenseDtype = quantization === null ? 'f32' : 'f16';
  if (dtype === null) {
    warnings.push({
      code: 'estimate',
      message: `torch_dtype not given; ${assumed} assumed`,
      data: { field: 'torch_dtype', assumed },
    });
  }
  const keepDtype: DenseDtype = dtype === null ? assumed : dtype === 'fp8' ? 'bf16' : dtype;

  if (quantization === null) {
    const scheme: CheckpointStorage['scheme'] =
      dtype === 'fp8' ? { kind: 'fp8', blockSize: null } : { kind: 'dense', dtype: keepDtype };
    return { scheme, keepDtype, isExcluded: () => false, warnings };
  }
  const matchers = quantization.excludedModules.map(patternMatcher);
  return {
    scheme: quantizedScheme(quantization, warnings),
    keepDtype,
    isExcluded: (name) => matchers.some((matches) => matches(name)),
    warnings,
  };
}
