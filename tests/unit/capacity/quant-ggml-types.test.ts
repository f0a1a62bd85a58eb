import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import {
  GGML_TYPES,
  ggmlBitsPerWeight,
  ggmlRowBytes,
  ggmlTensorBytes,
  ggmlTypeById,
  parseGgmlType,
} from '../../../lib/capacity/quant/ggml-types.ts';
import type { GgmlTypeName } from '../../../lib/capacity/quant/ggml-types.ts';

describe('GGML tensor types', () => {
  it.each([
    ['F32', 0, 1, 4],
    ['F16', 1, 1, 2],
    ['Q4_0', 2, 32, 2 + 32 / 2], // f16 d + 32 nibbles
    ['Q4_1', 3, 32, 2 * 2 + 32 / 2],
    ['Q5_0', 6, 32, 2 + 4 + 32 / 2],
    ['Q5_1', 7, 32, 2 * 2 + 4 + 32 / 2],
    ['Q8_0', 8, 32, 2 + 32],
    ['Q8_1', 9, 32, 2 * 2 + 32],
    ['Q2_K', 10, 256, 2 * 2 + 256 / 16 + 256 / 4],
    ['Q3_K', 11, 256, 2 + 256 / 4 + 256 / 8 + 12],
    ['Q4_K', 12, 256, 2 * 2 + 12 + 256 / 2],
    ['Q5_K', 13, 256, 2 * 2 + 12 + 256 / 2 + 256 / 8],
    ['Q6_K', 14, 256, 2 + 256 / 16 + (3 * 256) / 4],
    ['Q8_K', 15, 256, 4 + 256 + (256 / 16) * 2],
    ['IQ2_XXS', 16, 256, 2 + (256 / 8) * 2],
    ['IQ2_XS', 17, 256, 2 + (256 / 8) * 2 + 256 / 32],
    ['IQ3_XXS', 18, 256, 2 + 3 * (256 / 8)],
    ['IQ1_S', 19, 256, 2 + 256 / 8 + 256 / 16],
    ['IQ4_NL', 20, 32, 2 + 32 / 2],
    ['IQ3_S', 21, 256, 2 + 13 * (256 / 32) + 256 / 64],
    ['IQ2_S', 22, 256, 2 + 256 / 4 + 256 / 16],
    ['IQ4_XS', 23, 256, 2 + 2 + 256 / 64 + 256 / 2],
    ['I8', 24, 1, 1],
    ['I16', 25, 1, 2],
    ['I32', 26, 1, 4],
    ['I64', 27, 1, 8],
    ['F64', 28, 1, 8],
    ['IQ1_M', 29, 256, 256 / 8 + 256 / 16 + 256 / 32],
    ['BF16', 30, 1, 2],
    ['TQ1_0', 34, 256, 2 + 256 / 64 + (256 - (4 * 256) / 64) / 5],
    ['TQ2_0', 35, 256, 2 + 256 / 4],
    ['MXFP4', 39, 32, 1 + 32 / 2], // E8M0 scale + nibbles
    ['NVFP4', 40, 64, 64 / 16 + 64 / 2],
    ['Q1_0', 41, 128, 2 + 128 / 8],
    ['Q2_0', 42, 64, 2 + 64 / 4],
  ] as const)('stores %s (id %i) as %i values in %i bytes', (name, id, elements, bytes) => {
    expect(GGML_TYPES[name]).toMatchObject({ id, blockElements: elements, blockBytes: bytes });
    expect(ggmlTypeById(id).name).toBe(name);
  });

  it.each([
    ['Q4_K', 4.5],
    ['Q6_K', 6.5625],
    ['Q8_0', 8.5],
    ['IQ2_XXS', 2.0625],
    ['MXFP4', 4.25],
    ['TQ1_0', 1.6875],
  ] as const)('gives %s %f bits per weight', (name, bits) => {
    expect(ggmlBitsPerWeight(name)).toBe(bits);
  });

  it('sizes a row as whole blocks', () => {
    expect(ggmlRowBytes('Q4_K', 4096)).toBe((4096 / 256) * 144);
    expect(ggmlRowBytes('Q8_0', 14336)).toBe((14336 / 32) * 34);
    expect(ggmlRowBytes('F32', 7)).toBe(7 * 4);
  });

  it('sizes a tensor as rows x row bytes, the row being the last dimension', () => {
    // Llama-3 token_embd [128256, 4096] at Q4_K: 128256 rows x 16 blocks x 144 bytes
    expect(ggmlTensorBytes('Q4_K', [128256, 4096])).toBe(128256 * 16 * 144);
    // an expert stack [8, 14336, 4096] at Q6_K
    expect(ggmlTensorBytes('Q6_K', [8, 14336, 4096])).toBe(8 * 14336 * 16 * 210);
    expect(ggmlTensorBytes('F32', [])).toBe(4);
  });

  it('rejects a row that does not hold whole blocks', () => {
    expect(() => ggmlRowBytes('Q4_K', 4000)).toThrowError(/multiple of 256|whole blocks/);
    try {
      ggmlRowBytes('Q4_0', 100);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).expected).toBe('a multiple of 32');
    }
  });

  it('names the field for an unknown type id', () => {
    try {
      ggmlTypeById(31, 'blk.0.attn_q.weight type');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).code).toBe('invalid_file');
      expect((error as CapacityError).field).toBe('blk.0.attn_q.weight type');
    }
  });

  it('parses type names in any case and rejects unknown ones', () => {
    expect(parseGgmlType('q4_k').name).toBe<GgmlTypeName>('Q4_K');
    expect(() => parseGgmlType('Q4_K_M')).toThrowError(CapacityError);
  });
});
