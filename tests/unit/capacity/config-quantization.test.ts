import { describe, expect, it } from 'vitest';

import { parseQuantizationConfig } from '../../../lib/capacity/config/quantization.ts';
import { ConfigReader } from '../../../lib/capacity/config/reader.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';

function quantization(raw: Record<string, unknown>) {
  return parseQuantizationConfig(new ConfigReader(raw, 'quantization_config'));
}

describe('quantization_config', () => {
  it.each([
    [
      'GPTQ 4-bit, group 128',
      { quant_method: 'gptq', bits: 4, group_size: 128, desc_act: false },
      { method: 'gptq', bits: 4, groupSize: 128, excludedModules: [] },
    ],
    [
      'GPTQ per-channel (group -1)',
      { quant_method: 'gptq', bits: 8, group_size: -1 },
      { method: 'gptq', bits: 8, groupSize: null, excludedModules: [] },
    ],
    [
      'AWQ with its own key names',
      { quant_method: 'awq', w_bit: 4, q_group_size: 64, modules_to_not_convert: ['gate'] },
      { method: 'awq', bits: 4, groupSize: 64, excludedModules: ['gate'] },
    ],
    [
      'bitsandbytes NF4',
      { quant_method: 'bitsandbytes', load_in_4bit: true, bnb_4bit_quant_type: 'nf4' },
      { method: 'bitsandbytes', bits: 4, groupSize: null, excludedModules: [] },
    ],
    [
      'bitsandbytes int8 with skipped modules',
      { quant_method: 'bitsandbytes', load_in_8bit: true, llm_int8_skip_modules: ['lm_head'] },
      { method: 'bitsandbytes', bits: 8, groupSize: null, excludedModules: ['lm_head'] },
    ],
    [
      'FP8 with 128 x 128 blocks (DeepSeek-V3)',
      { quant_method: 'fp8', fmt: 'e4m3', weight_block_size: [128, 128] },
      { method: 'fp8', bits: null, groupSize: 128 * 128, excludedModules: [] },
    ],
    [
      'FP8 per tensor',
      { quant_method: 'fp8', activation_scheme: 'static' },
      { method: 'fp8', bits: null, groupSize: null, excludedModules: [] },
    ],
    [
      'MXFP4 (gpt-oss)',
      { quant_method: 'mxfp4', modules_to_not_convert: ['lm_head'] },
      { method: 'mxfp4', bits: null, groupSize: null, excludedModules: ['lm_head'] },
    ],
    [
      'compressed-tensors W4A16',
      {
        quant_method: 'compressed-tensors',
        format: 'pack-quantized',
        config_groups: {
          group_0: { targets: ['Linear'], weights: { num_bits: 4, group_size: 128 } },
        },
        ignore: ['lm_head'],
      },
      { method: 'compressed-tensors', bits: 4, groupSize: 128, excludedModules: ['lm_head'] },
    ],
    [
      'HQQ as a recognised other method',
      { quant_method: 'hqq', nbits: 4, group_size: 64 },
      { method: 'other', bits: 4, groupSize: 64, excludedModules: [] },
    ],
  ])('reads %s', (_, raw, expected) => {
    expect(quantization(raw)).toEqual(expected);
  });

  it('rejects an unknown method naming the accepted ones', () => {
    try {
      quantization({ quant_method: 'magic' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      const capacityError = error as CapacityError;
      expect(capacityError.code).toBe('unknown_quantization');
      expect(capacityError.field).toBe('quantization_config.quant_method');
      expect(capacityError.expected).toContain('mxfp4');
    }
  });

  it('rejects bitsandbytes with both or neither bit width', () => {
    expect(() => quantization({ quant_method: 'bitsandbytes' })).toThrow(
      expect.objectContaining({ code: 'contradictory_fields' }),
    );
    expect(() =>
      quantization({ quant_method: 'bitsandbytes', load_in_4bit: true, load_in_8bit: true }),
    ).toThrow(expect.objectContaining({ code: 'contradictory_fields' }));
  });

  it('rejects GPTQ without bits', () => {
    expect(() => quantization({ quant_method: 'gptq', group_size: 128 })).toThrow(
      expect.objectContaining({ code: 'missing_field', field: 'quantization_config.bits' }),
    );
  });

  it('rejects an FP8 block that is not two sizes', () => {
    expect(() => quantization({ quant_method: 'fp8', weight_block_size: [128] })).toThrow(
      expect.objectContaining({ field: 'quantization_config.weight_block_size' }),
    );
  });
});
