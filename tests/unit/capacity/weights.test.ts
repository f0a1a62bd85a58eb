import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import type { ModelSpec, TensorSpec } from '../../../lib/capacity/spec.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';
import {
  LLAMA_3_70B,
  LLAMA_3_8B,
  llamaSpec,
  MIXTRAL_8X7B,
  totalParams,
} from '../../support/llama-shapes.ts';

/** A spec holding one [rows, columns] projection and nothing else. */
function oneLinear(rows: number, columns: number, extra: Partial<TensorSpec> = {}): ModelSpec {
  const spec = llamaSpec({ ...LLAMA_3_8B, layers: 1 });
  const linear: TensorSpec = {
    name: 'model.layers.0.self_attn.q_proj.weight',
    shape: [rows, columns],
    copies: 1,
    activeCopies: 1,
    group: 'attention',
    role: 'attn_q',
    layer: 0,
    ...extra,
  };
  return { ...spec, tensors: [linear] };
}

const bytesOf = (spec: ModelSpec, scheme: string) =>
  weightBytes(spec, parseWeightScheme(scheme)).totalBytes;

describe('dense weight bytes', () => {
  it('stores Llama-3.1-8B in bf16 at 2 bytes per parameter', () => {
    const spec = llamaSpec(LLAMA_3_8B);
    expect(totalParams(spec)).toBe(8_030_261_248);
    expect(bytesOf(spec, 'bf16')).toBe(8_030_261_248 * 2); // 16,060,522,496
  });

  it('stores Llama-3.1-70B in f16 at 141.1 GB (131.4 GiB), not the 64 GB of B1', () => {
    const bytes = bytesOf(llamaSpec(LLAMA_3_70B), 'f16');
    expect(bytes).toBe(70_553_706_496 * 2);
    expect((bytes / 1e9).toFixed(1)).toBe('141.1');
    expect((bytes / 2 ** 30).toFixed(1)).toBe('131.4');
  });

  it('keeps every Mixtral expert resident: 93,405,585,408 B in bf16', () => {
    const weights = weightBytes(llamaSpec(MIXTRAL_8X7B), parseWeightScheme('bf16'));
    expect(weights.residentBytes).toBe(46_702_792_704 * 2);
  });

  it('reads two experts per token and leaves out the embedding lookup', () => {
    const weights = weightBytes(llamaSpec(MIXTRAL_8X7B), parseWeightScheme('bf16'));
    // 12,879,925,248 active parameters with the embedding; its 32000 x 4096 rows are a lookup
    expect(weights.activeBytesPerToken).toBe((12_879_925_248 - 32000 * 4096) * 2);
    expect(weights.activeBytesPerToken).toBeLessThan(weights.residentBytes / 3);
  });

  it('reads a tied embedding in full per token, as the output head', () => {
    const tied = weightBytes(llamaSpec({ ...LLAMA_3_8B, tied: true }), parseWeightScheme('bf16'));
    expect(tied.headBytes).toBe(0);
    expect(tied.activeBytesPerToken).toBe(tied.totalBytes);
  });

  it('splits bytes by layer, group, embedding and head', () => {
    const weights = weightBytes(llamaSpec(LLAMA_3_8B), parseWeightScheme('bf16'));
    const layerElements =
      4096 * 4096 * 2 + // q, o
      1024 * 4096 * 2 + // k, v
      14336 * 4096 * 3 + // gate, up, down
      4096 * 2; // two norms
    expect(weights.perLayerBytes).toHaveLength(32);
    expect(weights.perLayerBytes[0]).toBe(layerElements * 2); // 436,224,000
    expect(weights.embeddingBytes).toBe(128256 * 4096 * 2);
    expect(weights.headBytes).toBe(128256 * 4096 * 2);
    expect(weights.byGroup.mlp).toBe(32 * 14336 * 4096 * 3 * 2);
    const groups = Object.values(weights.byGroup).reduce((sum, bytes) => sum + bytes, 0);
    expect(groups).toBe(weights.totalBytes);
    expect(weights.tensors).toHaveLength(llamaSpec(LLAMA_3_8B).tensors.length);
  });

  it('keeps multi-token-prediction layers out of the total and the per-token reads', () => {
    const spec = llamaSpec({ ...LLAMA_3_8B, layers: 2 });
    const mtp: TensorSpec = {
      name: 'model.layers.2.eh_proj.weight',
      shape: [4096, 8192],
      copies: 1,
      activeCopies: 0,
      group: 'mtp',
      role: 'other',
      layer: 2,
    };
    const withMtp = weightBytes(
      { ...spec, mtpLayers: 1, tensors: [...spec.tensors, mtp] },
      {
        kind: 'dense',
        dtype: 'bf16',
      },
    );
    const without = weightBytes(spec, { kind: 'dense', dtype: 'bf16' });
    expect(withMtp.mtpBytes).toBe(4096 * 8192 * 2);
    expect(withMtp.totalBytes).toBe(without.totalBytes);
    expect(withMtp.activeBytesPerToken).toBe(without.activeBytesPerToken);
  });
});

describe('quantised weight bytes of one 4096 x 4096 projection', () => {
  const square = oneLinear(4096, 4096);

  it.each([
    // qweight 4096 x 4096 / 8 x 4 B + qzeros 32 groups x 4096 / 8 x 4 B + f16 scales + int32 g_idx
    ['gptq-4bit-g128', 4096 * 512 * 4 + 32 * 512 * 4 + 32 * 4096 * 2 + 4096 * 4],
    // the same without g_idx
    ['awq-4bit-g128', 4096 * 512 * 4 + 32 * 512 * 4 + 32 * 4096 * 2],
    // packed int32 words, one 16-bit scale per group, an int64 [2] shape
    ['compressed-4bit-g128', 4096 * 512 * 4 + 4096 * 32 * 2 + 16],
    // 8-bit GPTQ: 4 values per int32 word
    ['gptq-8bit-g128', 4096 * 1024 * 4 + 32 * 1024 * 4 + 32 * 4096 * 2 + 4096 * 4],
    // one byte per value + one f32 scale per 128 x 128 tile (32 x 32 tiles)
    ['fp8-block128', 4096 * 4096 + 32 * 32 * 4],
    ['fp8', 4096 * 4096 + 4],
    // one byte per value + one f32 scale per output row
    ['int8', 4096 * 4096 + 4096 * 4],
    // 2 values per byte + uint8 absmax per 64 + f32 per 256 absmax + 256 + 16 f32 code books
    ['nf4', (4096 * 4096) / 2 + 262_144 + (262_144 / 256) * 4 + 256 * 4 + 16 * 4],
    ['Q4_K_M', 4096 * 16 * 144], // a q projection keeps the Q4_K base type
    ['Q8_0', 4096 * 128 * 34],
  ])('stores it as %s in %i bytes', (scheme, bytes) => {
    expect(bytesOf(square, scheme)).toBe(bytes);
  });

  it('sizes a DeepSeek-V3 q_b_proj [24576, 1536] in fp8 with 128 x 128 block scales', () => {
    // weight_scale_inv is [192, 12] f32
    expect(bytesOf(oneLinear(24576, 1536), 'fp8-block128')).toBe(24576 * 1536 + 192 * 12 * 4);
  });

  it('stores gpt-oss experts at 4.25 bits and the rest in bf16 under mxfp4', () => {
    const expert = oneLinear(5760, 2880, {
      name: 'model.layers.0.mlp.experts.gate_up_proj',
      copies: 32,
      activeCopies: 4,
      group: 'experts',
      role: 'ffn_gate_up',
    });
    const weights = weightBytes(expert, parseWeightScheme('mxfp4'));
    // 2880 values per row = 90 blocks of 17 bytes, 5760 rows, 32 experts
    expect(weights.totalBytes).toBe(32 * 5760 * 90 * 17);
    expect(weights.activeBytesPerToken).toBe(4 * 5760 * 90 * 17);
    expect(bytesOf(square, 'mxfp4')).toBe(4096 * 4096 * 2);
  });

  it('keeps embeddings, head and norms in 16 bits under GPTQ', () => {
    const spec = llamaSpec(LLAMA_3_8B);
    const weights = weightBytes(spec, parseWeightScheme('gptq-4bit-g128'));
    expect(weights.embeddingBytes).toBe(128256 * 4096 * 2);
    expect(weights.headBytes).toBe(128256 * 4096 * 2);
    expect(weights.byGroup.norm).toBe((32 * 2 + 1) * 4096 * 2);
  });
});

describe('checkpoint weight bytes', () => {
  it('uses stored bytes when headers gave them', () => {
    const spec = oneLinear(4096, 4096, { storedType: 'F8_E4M3', storedBytes: 16_781_312 });
    const weights = weightBytes(spec, { kind: 'checkpoint' });
    expect(weights.totalBytes).toBe(16_781_312);
    expect(weights.tensors[0]?.type).toBe('F8_E4M3');
  });

  it('follows torch_dtype without a quantization_config', () => {
    expect(bytesOf(oneLinear(4096, 4096), 'checkpoint')).toBe(4096 * 4096 * 2);
  });

  it('assumes float32, with a warning, when torch_dtype is missing', () => {
    const spec = oneLinear(64, 64);
    const weights = weightBytes(
      { ...spec, checkpoint: { dtype: null, quantization: null } },
      { kind: 'checkpoint' },
    );
    expect(weights.totalBytes).toBe(64 * 64 * 4);
    expect(weights.warnings.map((warning) => warning.code)).toEqual(['estimate']);
  });

  it('applies a GPTQ quantization_config and leaves excluded modules in 16 bits', () => {
    const spec = llamaSpec({ ...LLAMA_3_8B, layers: 1 });
    const quantized: ModelSpec = {
      ...spec,
      checkpoint: {
        dtype: 'f16',
        quantization: { method: 'gptq', bits: 4, groupSize: 128, excludedModules: ['q_proj'] },
      },
    };
    const weights = weightBytes(quantized, { kind: 'checkpoint' });
    const byName = new Map(weights.tensors.map((tensor) => [tensor.name, tensor]));
    expect(byName.get('model.layers.0.self_attn.q_proj.weight')).toEqual({
      name: 'model.layers.0.self_attn.q_proj.weight',
      type: 'f16',
      bytes: 4096 * 4096 * 2,
    });
    expect(byName.get('model.layers.0.self_attn.o_proj.weight')?.type).toBe('gptq-int4');
    expect(byName.get('model.layers.0.self_attn.o_proj.weight')?.bytes).toBe(
      bytesOf(oneLinear(4096, 4096), 'gptq-4bit-g128'),
    );
  });

  it('matches module globs of modules_to_not_convert', () => {
    const spec = oneLinear(4096, 4096);
    const quantized: ModelSpec = {
      ...spec,
      checkpoint: {
        dtype: 'bf16',
        quantization: {
          method: 'fp8',
          bits: null,
          groupSize: 128 * 128,
          excludedModules: ['model.layers.*.self_attn'],
        },
      },
    };
    expect(weightBytes(quantized, { kind: 'checkpoint' }).totalBytes).toBe(4096 * 4096 * 2);
  });

  it('reads an FP8 weight_block_size of [128, 128] (16384 per scale) as 128 x 128 tiles', () => {
    const spec = oneLinear(4096, 4096);
    const fp8: ModelSpec = {
      ...spec,
      checkpoint: {
        dtype: 'bf16',
        quantization: { method: 'fp8', bits: null, groupSize: 16384, excludedModules: [] },
      },
    };
    expect(weightBytes(fp8, { kind: 'checkpoint' }).totalBytes).toBe(4096 * 4096 + 32 * 32 * 4);
  });

  it('refuses a checkpoint method it cannot size', () => {
    const spec = oneLinear(64, 64);
    const other: ModelSpec = {
      ...spec,
      checkpoint: {
        dtype: 'bf16',
        quantization: { method: 'other', bits: null, groupSize: null, excludedModules: [] },
      },
    };
    try {
      weightBytes(other, { kind: 'checkpoint' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).code).toBe('unknown_quantization');
      expect((error as CapacityError).field).toBe('quantization_config.quant_method');
    }
  });
});

describe('malformed tensors', () => {
  it.each<[string, Partial<TensorSpec>]>([
    ['a negative dimension', { shape: [-1, 64] }],
    ['a fractional dimension', { shape: [1.5, 64] }],
    ['zero copies', { copies: 0, activeCopies: 0 }],
    ['more active copies than copies', { copies: 2, activeCopies: 3 }],
    ['negative stored bytes', { storedBytes: -4 }],
  ])('rejects %s, naming the tensor', (_label, extra) => {
    try {
      weightBytes(oneLinear(64, 64, extra), { kind: 'dense', dtype: 'bf16' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).field).toBe('tensors.model.layers.0.self_attn.q_proj.weight');
    }
  });
});
