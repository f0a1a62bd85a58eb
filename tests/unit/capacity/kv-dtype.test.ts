import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import { kvBytesFor, kvBytesPerElement, parseKvDtype } from '../../../lib/capacity/kv-dtype.ts';

describe('KV cache element types', () => {
  it.each([
    ['f16', 4096, 8192],
    ['f32', 4096, 16384],
    ['fp8', 4096, 4096],
    ['q8_0', 4096, (4096 / 32) * 34],
    ['q4_0', 4096, (4096 / 32) * 18],
    ['q5_1', 64, 2 * 24],
  ] as const)('stores %s at exact block sizes', (dtype, elements, bytes) => {
    expect(kvBytesFor(elements, dtype)).toBe(bytes);
  });

  it('gives fractional bytes per element for block types', () => {
    expect(kvBytesPerElement('q8_0')).toBe(1.0625);
    expect(kvBytesPerElement('q4_0')).toBe(0.5625);
  });

  it('accepts aliases and any case', () => {
    expect(parseKvDtype('FP16')).toBe('f16');
    expect(parseKvDtype('fp8_e5m2')).toBe('fp8');
  });

  it('names the field and the accepted values for an unknown type', () => {
    try {
      parseKvDtype('q3_k', 'kvDtype');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      const capacityError = error as CapacityError;
      expect(capacityError.field).toBe('kvDtype');
      expect(capacityError.expected).toContain('q8_0');
    }
  });
});
