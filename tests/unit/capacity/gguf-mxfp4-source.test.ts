// GGUF recipes keep tensors the source already stores in MXFP4 (gpt-oss experts) in MXFP4.

import { describe, expect, it } from 'vitest';

import { catalogueSpec, findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { ggufTensorTypes } from '../../../lib/capacity/quant/gguf-recipes.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import type { ModelSpec } from '../../../lib/capacity/spec.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';

const GB = 1e9;
const GIB = 2 ** 30;

function expertTypes(spec: ModelSpec, recipe: 'Q4_K_M' | 'Q6_K' | 'Q2_K'): Set<string> {
  const types = ggufTensorTypes(spec, recipe);
  return new Set(
    spec.tensors
      .map((tensor, index) => (tensor.group === 'experts' && tensor.role !== 'bias' ? index : -1))
      .filter((index) => index >= 0)
      .map((index) => types[index] ?? ''),
  );
}

function expertWeightBytes(spec: ModelSpec, recipe: string): number {
  const weights = weightBytes(spec, parseWeightScheme(recipe));
  return weights.tensors
    .filter((tensor) => /experts\.\*\.(gate_up|down)_proj\.weight$/.test(tensor.name))
    .reduce((sum, tensor) => sum + tensor.bytes, 0);
}

describe('gpt-oss K-quants keep the MXFP4 experts', () => {
  const small = catalogueSpec('gpt-oss-20b');
  const large = catalogueSpec('gpt-oss-120b');

  it.each(['Q4_K_M', 'Q6_K', 'Q2_K'] as const)('gives every %s expert matrix MXFP4', (recipe) => {
    expect(expertTypes(small, recipe)).toEqual(new Set(['MXFP4']));
  });

  it('sizes the gpt-oss-20b experts at 17 bytes per 32 values', () => {
    // per layer and expert: gate_up 5760 x 2880 + down 2880 x 2880 = 24,883,200 values
    // = 777,600 blocks x 17 B = 13,219,200 B; x 32 experts x 24 layers = 10,152,345,600 B
    expect(expertWeightBytes(small, 'Q4_K_M')).toBe(10_152_345_600);
    expect(expertWeightBytes(small, 'Q6_K')).toBe(10_152_345_600);
  });

  it('lands gpt-oss-20b Q4_K_M and Q6_K on the published files (11.6 GB, 12.04 GB)', () => {
    // unsloth gpt-oss-20b-Q4_K_M.gguf 11.6 GB; bartowski Q6_K 12.04 GB (both decimal GB)
    const q4 = weightBytes(small, parseWeightScheme('Q4_K_M')).totalBytes;
    const q6 = weightBytes(small, parseWeightScheme('Q6_K')).totalBytes;
    expect(Math.abs(q4 / GB / 11.6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(q6 / GB / 12.04 - 1)).toBeLessThan(0.01);
  });

  it('lands gpt-oss-120b Q4_K_M near 58.5 GiB, not 81 GiB', () => {
    // unsloth gpt-oss-120b Q4_K_M: about 58.5 GiB (62.8 GB); before this rule 81.4 GiB
    const bytes = weightBytes(large, parseWeightScheme('Q4_K_M')).totalBytes;
    expect(Math.abs(bytes / GIB / 58.5 - 1)).toBeLessThan(0.01);
  });

  it('makes Q8_0 the same file as MXFP4_MOE (experts MXFP4, the rest Q8_0)', () => {
    const q8 = weightBytes(small, parseWeightScheme('Q8_0')).totalBytes;
    const mxfp4Moe = weightBytes(small, parseWeightScheme('MXFP4_MOE')).totalBytes;
    expect(q8).toBe(mxfp4Moe);
  });

  it('still re-quantizes the experts of a bf16 gpt-oss checkpoint (rows of 2880: Q5_0)', () => {
    // 2880 is not a multiple of 256, so Q4_K falls back to Q5_0 and Q6_K to Q8_0
    const config = { ...findCatalogueModel('gpt-oss-20b').config };
    delete config.quantization_config;
    const bf16 = parseHfConfig(config);
    expect(expertTypes(bf16, 'Q4_K_M')).toEqual(new Set(['Q5_0', 'Q8_0']));
  });
});
