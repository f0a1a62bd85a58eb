import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import {
  parseWeightScheme,
  WEIGHT_SCHEME_NAMES,
  weightSchemeName,
} from '../../../lib/capacity/quant/schemes.ts';
import type { WeightScheme } from '../../../lib/capacity/quant/schemes.ts';

describe('weight scheme names', () => {
  it.each<[string, WeightScheme]>([
    ['bf16', { kind: 'dense', dtype: 'bf16' }],
    ['FP16', { kind: 'dense', dtype: 'f16' }],
    ['float32', { kind: 'dense', dtype: 'f32' }],
    ['fp8', { kind: 'fp8', blockSize: null }],
    ['fp8-block128', { kind: 'fp8', blockSize: 128 }],
    ['int8', { kind: 'int8' }],
    ['gptq-4bit-g128', { kind: 'int-group', format: 'gptq', bits: 4, groupSize: 128 }],
    ['GPTQ-8bit', { kind: 'int-group', format: 'gptq', bits: 8, groupSize: null }],
    ['awq-4bit-g64', { kind: 'int-group', format: 'awq', bits: 4, groupSize: 64 }],
    ['compressed-4bit-g128', { kind: 'int-group', format: 'compressed', bits: 4, groupSize: 128 }],
    ['nf4', { kind: 'nf4' }],
    ['bnb-4bit', { kind: 'nf4' }],
    ['mxfp4', { kind: 'mxfp4' }],
    ['Q4_K_M', { kind: 'gguf', recipe: 'Q4_K_M', imatrix: null }],
    ['iq2_xxs', { kind: 'gguf', recipe: 'IQ2_XXS', imatrix: null }],
    ['MXFP4_MOE', { kind: 'gguf', recipe: 'MXFP4_MOE', imatrix: null }],
    ['checkpoint', { kind: 'checkpoint' }],
  ])('parses %s', (name, scheme) => {
    expect(parseWeightScheme(name)).toEqual(scheme);
  });

  it('parses every listed name back to itself', () => {
    for (const name of WEIGHT_SCHEME_NAMES) {
      expect(weightSchemeName(parseWeightScheme(name))).toBe(name);
    }
  });

  it('names the field and lists accepted names for an unknown scheme', () => {
    try {
      parseWeightScheme('int4', 'plan.weights');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      const capacityError = error as CapacityError;
      expect(capacityError.code).toBe('unknown_quantization');
      expect(capacityError.field).toBe('plan.weights');
      expect(capacityError.expected).toContain('Q4_K_M');
      expect(capacityError.expected).toContain('gptq-4bit-g128');
    }
  });

  it.each([
    'awq-3bit-g128',
    'gptq-5bit-g128',
    'gptq-4bit-g100',
    'gptq-4bit-g8',
    'fp8-block0',
    'Q4_K_X',
  ])('rejects %s', (name) => {
    expect(() => parseWeightScheme(name)).toThrowError(CapacityError);
  });
});
