import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import type { GgmlTypeName } from '../../../lib/capacity/quant/ggml-types.ts';
import {
  GGUF_RECIPE_NAMES,
  GGUF_RECIPES,
  ggufFileTypeName,
  ggufTensorTypes,
} from '../../../lib/capacity/quant/gguf-recipes.ts';
import type { GgufRecipeName } from '../../../lib/capacity/quant/gguf-recipes.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import type { ModelSpec } from '../../../lib/capacity/spec.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';
import { LLAMA_3_70B, LLAMA_3_8B, llamaSpec, MIXTRAL_8X7B } from '../../support/llama-shapes.ts';

const GIB = 2 ** 30;

/** The type each named tensor gets. */
function typesByName(spec: ModelSpec, recipe: GgufRecipeName, imatrix?: boolean) {
  const types = ggufTensorTypes(spec, recipe, imatrix === undefined ? {} : { imatrix });
  return new Map(spec.tensors.map((tensor, index) => [tensor.name, types[index]]));
}

const layer = (i: number, rest: string): string => `model.layers.${String(i)}.${rest}`;

describe('GGUF recipes at Llama-3-8B size', () => {
  // llama.cpp tools/quantize prints these sizes for Llama-3-8B in GiB (capacity.md section 3.5)
  it.each([
    ['Q2_K', 2.96],
    ['Q3_K_S', 3.41],
    ['Q3_K_M', 3.74],
    ['Q3_K_L', 4.03],
    ['Q4_0', 4.34],
    ['Q4_1', 4.78],
    ['Q4_K_S', 4.37],
    ['Q4_K_M', 4.58],
    ['Q5_0', 5.21],
    ['Q5_1', 5.65],
    ['Q5_K_S', 5.21],
    ['Q5_K_M', 5.33],
    ['Q6_K', 6.14],
    ['Q8_0', 7.96],
  ] as const)('sizes %s within 0.5%% of %f GiB', (recipe, gib) => {
    const bytes = weightBytes(llamaSpec(LLAMA_3_8B), parseWeightScheme(recipe)).totalBytes;
    expect(Math.abs(bytes / GIB / gib - 1)).toBeLessThan(0.005);
  });

  it('sizes Q4_K_M at exactly the sum of its per-tensor types', () => {
    // 32 layers; use-more-bits layers (i < 4, i >= 28, (i - 4) % 3 == 2): 0-3, 6, 9, ..., 27, 28-31
    // = 4 + 8 + 4 = 16 layers get Q6_K attn_v and ffn_down, 16 keep Q4_K.
    const q4k = (rows: number, cols: number) => rows * (cols / 256) * 144;
    const q6k = (rows: number, cols: number) => rows * (cols / 256) * 210;
    const perLayer =
      q4k(4096, 4096) * 2 + // q, o
      q4k(1024, 4096) + // k
      q4k(14336, 4096) * 2 + // gate, up
      4096 * 4 * 2; // two F32 norms
    const moreBits = q6k(1024, 4096) + q6k(4096, 14336);
    const fewerBits = q4k(1024, 4096) + q4k(4096, 14336);
    const expected =
      q4k(128256, 4096) + // token_embd at the base type
      q6k(128256, 4096) + // output at Q6_K
      4096 * 4 + // output_norm F32
      32 * perLayer +
      16 * moreBits +
      16 * fewerBits;
    const bytes = weightBytes(llamaSpec(LLAMA_3_8B), parseWeightScheme('Q4_K_M')).totalBytes;
    expect(bytes).toBe(expected);
  });
});

describe('GGUF recipe rules', () => {
  const llama = llamaSpec(LLAMA_3_8B);

  it('gives Q4_K_M its Q6_K output, base token_embd and F32 norms', () => {
    const types = typesByName(llama, 'Q4_K_M');
    expect(types.get('lm_head.weight')).toBe('Q6_K');
    expect(types.get('model.embed_tokens.weight')).toBe('Q4_K');
    expect(types.get('model.norm.weight')).toBe('F32');
    expect(types.get(layer(0, 'input_layernorm.weight'))).toBe('F32');
    expect(types.get(layer(0, 'self_attn.q_proj.weight'))).toBe('Q4_K');
  });

  it.each([
    [0, 'Q6_K'], // first eighth
    [3, 'Q6_K'],
    [4, 'Q4_K'], // (4 - 4) % 3 = 0
    [6, 'Q6_K'], // (6 - 4) % 3 = 2
    [7, 'Q4_K'],
    [27, 'Q6_K'], // (27 - 4) % 3 = 2
    [28, 'Q6_K'], // last eighth
    [31, 'Q6_K'],
  ] as const)('gives Q4_K_M layer %i attn_v and ffn_down %s', (i, type) => {
    const types = typesByName(llama, 'Q4_K_M');
    expect(types.get(layer(i, 'self_attn.v_proj.weight'))).toBe(type);
    expect(types.get(layer(i, 'mlp.down_proj.weight'))).toBe(type);
  });

  it('keeps the Q8_0 output of a Q8_0 file and moves a Q4_0 output to Q6_K', () => {
    expect(typesByName(llama, 'Q8_0').get('lm_head.weight')).toBe('Q8_0');
    expect(typesByName(llama, 'Q4_0').get('lm_head.weight')).toBe('Q6_K');
  });

  it('quantises a tied token embedding like the output', () => {
    const tied = llamaSpec({ ...LLAMA_3_8B, tied: true });
    expect(typesByName(tied, 'Q4_K_M').get('model.embed_tokens.weight')).toBe('Q6_K');
  });

  it('moves Q2_K value tensors to Q4_K when 4 or more heads share a KV head', () => {
    // Llama-3-8B: 32 / 8 = 4 query heads per KV head
    expect(typesByName(llama, 'Q2_K').get(layer(10, 'self_attn.v_proj.weight'))).toBe('Q4_K');
    const mha = llamaSpec({ ...LLAMA_3_8B, kvHeads: 32 });
    expect(typesByName(mha, 'Q2_K').get(layer(10, 'self_attn.v_proj.weight'))).toBe('Q3_K');
  });

  it('falls back when a row does not hold whole 256-value blocks', () => {
    // intermediate 5504 = 21.5 x 256: ffn_down rows of 5504 cannot be Q4_K or Q6_K
    const odd = llamaSpec({ ...LLAMA_3_8B, layers: 8, intermediate: 5504 });
    const q4 = typesByName(odd, 'Q4_K_S');
    expect(q4.get(layer(4, 'mlp.down_proj.weight'))).toBe<GgmlTypeName>('Q5_0');
    expect(q4.get(layer(4, 'mlp.up_proj.weight'))).toBe<GgmlTypeName>('Q4_K');
    expect(typesByName(odd, 'Q6_K').get(layer(4, 'mlp.down_proj.weight'))).toBe('Q8_0');
  });

  it('falls back to F16 when not even a 32-value block fits', () => {
    const odd = llamaSpec({ ...LLAMA_3_8B, layers: 8, intermediate: 5500 });
    expect(typesByName(odd, 'Q4_K_M').get(layer(4, 'mlp.down_proj.weight'))).toBe('F16');
  });

  it('rejects a legacy type whose block does not divide the row', () => {
    const odd = llamaSpec({ ...LLAMA_3_8B, layers: 8, intermediate: 5500 });
    expect(() => ggufTensorTypes(odd, 'Q4_0')).toThrowError(CapacityError);
  });

  it('gives 8-expert models Q8_0 attention values and keys and Q5_K attention output', () => {
    const types = typesByName(llamaSpec(MIXTRAL_8X7B), 'Q4_K_M');
    expect(types.get(layer(5, 'self_attn.v_proj.weight'))).toBe('Q8_0');
    expect(types.get(layer(5, 'self_attn.k_proj.weight'))).toBe('Q8_0');
    expect(types.get(layer(5, 'self_attn.o_proj.weight'))).toBe('Q5_K');
    expect(types.get(layer(5, 'block_sparse_moe.gate.weight'))).toBe('F32');
    expect(types.get(layer(6, 'block_sparse_moe.experts.*.w2.weight'))).toBe('Q6_K');
    expect(types.get(layer(7, 'block_sparse_moe.experts.*.w2.weight'))).toBe('Q4_K');
  });

  it('puts MXFP4_MOE expert stacks in MXFP4 and everything else quantised in Q8_0', () => {
    const types = typesByName(llamaSpec(MIXTRAL_8X7B), 'MXFP4_MOE');
    expect(types.get(layer(0, 'block_sparse_moe.experts.*.w1.weight'))).toBe('MXFP4');
    expect(types.get(layer(0, 'self_attn.q_proj.weight'))).toBe('Q8_0');
    expect(types.get('lm_head.weight')).toBe('Q8_0');
    expect(types.get('model.embed_tokens.weight')).toBe('Q8_0');
  });

  it('lifts Q4_K value tensors to Q5_K in 80-layer GQA llama models (the 70B class)', () => {
    const types = typesByName(llamaSpec(LLAMA_3_70B), 'Q4_K_M');
    // layer 11: not a use-more-bits layer of 80 ((11 - 10) % 3 = 1), so Q4_K, lifted to Q5_K
    expect(types.get(layer(11, 'self_attn.v_proj.weight'))).toBe('Q5_K');
    expect(types.get(layer(11, 'mlp.down_proj.weight'))).toBe('Q4_K');
  });

  it('sizes Llama-3.1-70B Q4_K_M within 0.5% of the published 42.52 GB', () => {
    const bytes = weightBytes(llamaSpec(LLAMA_3_70B), parseWeightScheme('Q4_K_M')).totalBytes;
    expect(Math.abs(bytes / 1e9 / 42.52 - 1)).toBeLessThan(0.005);
  });

  it('gives IQ4_XS first-eighth ffn_down Q5_K only without an importance matrix', () => {
    expect(typesByName(llama, 'IQ4_XS', false).get(layer(2, 'mlp.down_proj.weight'))).toBe('Q5_K');
    expect(typesByName(llama, 'IQ4_XS', true).get(layer(2, 'mlp.down_proj.weight'))).toBe('IQ4_XS');
  });

  it('gives IQ2_XXS files a Q5_K output and a Q2_K token embedding', () => {
    const types = typesByName(llama, 'IQ2_XXS');
    expect(types.get('lm_head.weight')).toBe('Q5_K');
    expect(types.get('model.embed_tokens.weight')).toBe('Q2_K');
    expect(types.get(layer(10, 'self_attn.q_proj.weight'))).toBe('IQ2_XXS');
  });

  it('keeps vision tensors in F16', () => {
    const spec = llamaSpec(LLAMA_3_8B);
    spec.tensors.push({
      name: 'visual.blocks.0.attn.qkv.weight',
      shape: [3840, 1280],
      copies: 1,
      activeCopies: 1,
      group: 'vision',
      role: 'other',
      layer: null,
    });
    expect(typesByName(spec, 'Q4_K_M').get('visual.blocks.0.attn.qkv.weight')).toBe('F16');
  });

  it('maps llama_ftype ids to names', () => {
    expect(ggufFileTypeName(15)).toBe('Q4_K_M');
    expect(ggufFileTypeName(1)).toBe('F16');
    expect(ggufFileTypeName(38)).toBe('MXFP4_MOE');
    expect(ggufFileTypeName(4)).toBeNull();
    expect(GGUF_RECIPES.IQ3_M).toMatchObject({ fileType: 27, base: 'IQ3_S' });
  });

  it('lists every recipe once', () => {
    expect(new Set(GGUF_RECIPE_NAMES).size).toBe(Object.keys(GGUF_RECIPES).length);
  });
});
