import { describe, expect, it } from 'vitest';

import { findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import type { AttentionMixer, ModelSpec } from '../../../lib/capacity/spec.ts';

/** A catalogue model's published config with some keys replaced (null deletes nothing). */
function configOf(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...findCatalogueModel(id).config, ...overrides };
}

function parse(id: string, overrides: Record<string, unknown> = {}): ModelSpec {
  return parseHfConfig(configOf(id, overrides));
}

function attention(spec: ModelSpec): AttentionMixer[] {
  return spec.layers.map((layer) => {
    if (layer.mixer.kind !== 'attention') throw new Error('expected attention');
    return layer.mixer;
  });
}

function windows(spec: ModelSpec): (number | null)[] {
  return attention(spec).map((mixer) => mixer.window);
}

function shapeOf(spec: ModelSpec, name: string): readonly number[] | undefined {
  return spec.tensors.find((tensor) => tensor.name === name)?.shape;
}

describe('gpt-oss', () => {
  const spec = parse('gpt-oss-20b');

  it('alternates 12 sliding layers of 128 tokens with 12 full layers', () => {
    expect(windows(spec).filter((window) => window === 128)).toHaveLength(12);
    expect(windows(spec).filter((window) => window === null)).toHaveLength(12);
    expect(windows(spec).slice(0, 2)).toEqual([128, null]);
  });

  it('has 8 KV heads of 64 and learned sinks on every layer', () => {
    for (const mixer of attention(spec)) {
      expect(mixer).toMatchObject({ heads: 64, kvHeads: 8, headDimK: 64, headDimV: 64 });
      expect(mixer).toMatchObject({ learnedSinks: true, sinkTokens: 0 });
    }
  });

  it('gives every layer a biased router and 32 experts read 4 at a time', () => {
    expect(spec.moe).toEqual({
      routedExperts: 32,
      expertsPerToken: 4,
      sharedExperts: 0,
      moeLayers: 24,
    });
    expect(shapeOf(spec, 'model.layers.0.mlp.router.bias')).toEqual([32]);
    const gateUp = spec.tensors.find(
      (t) => t.name === 'model.layers.0.mlp.experts.*.gate_up_proj.weight',
    );
    expect(gateUp).toMatchObject({ shape: [2 * 2880, 2880], copies: 32, activeCopies: 4 });
    expect(shapeOf(spec, 'model.layers.0.self_attn.sinks')).toEqual([64]);
  });

  it('reads the MXFP4 quantization and what it leaves unconverted', () => {
    expect(spec.checkpoint.dtype).toBe('bf16');
    expect(spec.checkpoint.quantization).toEqual({
      method: 'mxfp4',
      bits: null,
      groupSize: null,
      excludedModules: [
        'model.layers.*.self_attn',
        'model.layers.*.mlp.router',
        'model.embed_tokens',
        'lm_head',
      ],
    });
  });

  it('defaults to sliding-first alternation without layer_types', () => {
    const config = configOf('gpt-oss-20b');
    delete config.layer_types;
    expect(windows(parseHfConfig(config)).slice(0, 4)).toEqual([128, null, 128, null]);
  });
});

describe('Gemma', () => {
  it('gives Gemma-3-27B 52 local layers of 1024 and 10 global ones', () => {
    const spec = parse('gemma-3-27b');
    const global = windows(spec).flatMap((window, index) => (window === null ? [index] : []));
    expect(global).toEqual([5, 11, 17, 23, 29, 35, 41, 47, 53, 59]);
    expect(windows(spec).filter((window) => window === 1024)).toHaveLength(62 - 10);
    expect(attention(spec)[0]).toMatchObject({ heads: 32, kvHeads: 16, headDimK: 128 });
  });

  it('completes Gemma-3 text configs with the transformers defaults', () => {
    const spec = parse('gemma-3-27b');
    expect(spec.vocabSize).toBe(262208);
    expect(spec.tiedEmbeddings).toBe(true);
    expect(spec.maxPositionTokens).toBe(131072);
  });

  it('prefers layer_types over the Gemma-3 pattern', () => {
    const layerTypes = ['full_attention', 'sliding_attention', 'full_attention'];
    const spec = parseHfConfig({
      ...configOf('gemma-3-1b'),
      num_hidden_layers: 3,
      layer_types: layerTypes,
    });
    expect(windows(spec)).toEqual([null, 512, null]);
  });

  it('gives Gemma-2-9B alternating local (4096) and global layers of head dim 256', () => {
    const spec = parse('gemma-2-9b');
    expect(windows(spec).slice(0, 3)).toEqual([4096, null, 4096]);
    expect(windows(spec).filter((window) => window === null)).toHaveLength(42 / 2);
    expect(attention(spec)[0]).toMatchObject({ heads: 16, kvHeads: 8, headDimK: 256 });
    expect(shapeOf(spec, 'model.layers.0.self_attn.q_proj.weight')).toEqual([16 * 256, 3584]);
  });

  it('counts the Gemma-3 SigLIP tower and projector as vision', () => {
    const spec = parse('gemma-3-27b');
    const vision = spec.tensors.filter((tensor) => tensor.group === 'vision');
    expect(vision.every((tensor) => tensor.layer === null)).toBe(true);
    expect(shapeOf(spec, 'multi_modal_projector.mm_input_projection_weight')).toEqual([1152, 5376]);
  });

  it('leaves the vision tower out with a warning when its config lacks sizes', () => {
    const spec = parse('gemma-3-27b', { vision_config: { model_type: 'siglip_vision_model' } });
    expect(spec.tensors.some((tensor) => tensor.group === 'vision')).toBe(false);
    expect(spec.warnings.map((warning) => warning.code)).toContain('vision_tower_estimated');
  });
});

describe('Falcon', () => {
  it('reads Falcon-7B as MQA: 71 heads, 1 KV head of 64', () => {
    const spec = parse('falcon-7b');
    expect(attention(spec)[0]).toMatchObject({ heads: 71, kvHeads: 1, headDimK: 64 });
    expect(shapeOf(spec, 'transformer.h.0.self_attention.query_key_value.weight')).toEqual([
      4544 + 2 * 64,
      4544,
    ]);
  });

  it('ties the LM head to the embedding by default', () => {
    const spec = parse('falcon-7b');
    expect(spec.tiedEmbeddings).toBe(true);
    expect(spec.tensors.some((tensor) => tensor.role === 'output')).toBe(false);
  });

  it('reads the new decoder architecture with its KV heads and two norms', () => {
    const spec = parse('falcon-7b', {
      hidden_size: 8192,
      num_attention_heads: 128,
      num_kv_heads: 8,
      num_hidden_layers: 2,
      new_decoder_architecture: true,
    });
    expect(attention(spec)[0]).toMatchObject({ heads: 128, kvHeads: 8, headDimK: 64 });
    expect(shapeOf(spec, 'transformer.h.0.self_attention.query_key_value.weight')).toEqual([
      (128 + 2 * 8) * 64,
      8192,
    ]);
    expect(shapeOf(spec, 'transformer.h.0.ln_mlp.bias')).toEqual([8192]);
  });

  it('reads the old layout without multi_query as MHA', () => {
    const spec = parse('falcon-7b', { multi_query: false });
    expect(attention(spec)[0]).toMatchObject({ heads: 71, kvHeads: 71 });
  });

  it('adds a post-attention norm when attention is not parallel', () => {
    const spec = parse('falcon-7b', { parallel_attn: false });
    expect(shapeOf(spec, 'transformer.h.0.post_attention_layernorm.weight')).toEqual([4544]);
  });
});

describe('Llama, Mistral, Qwen and Phi', () => {
  it('takes Qwen3 head_dim 128 even though hidden / heads is 64', () => {
    const spec = parse('qwen3-0.6b');
    expect(attention(spec)[0]).toMatchObject({ heads: 16, kvHeads: 8, headDimK: 128 });
    expect(shapeOf(spec, 'model.layers.0.self_attn.q_proj.weight')).toEqual([16 * 128, 1024]);
    expect(shapeOf(spec, 'model.layers.0.self_attn.q_norm.weight')).toEqual([128]);
  });

  it('treats Qwen2.5 as full attention and warns about its unused window', () => {
    const spec = parse('qwen2.5-7b');
    expect(windows(spec).every((window) => window === null)).toBe(true);
    expect(spec.warnings).toEqual([
      expect.objectContaining({ code: 'sliding_window_ignored', data: { window: 131072 } }),
    ]);
  });

  it('biases Qwen2 q, k and v but not o', () => {
    const spec = parse('qwen2.5-7b');
    expect(shapeOf(spec, 'model.layers.0.self_attn.k_proj.bias')).toEqual([4 * 128]);
    expect(shapeOf(spec, 'model.layers.0.self_attn.o_proj.bias')).toBeUndefined();
  });

  it('slides Qwen2 layers from max_window_layers on when windows are enabled', () => {
    const spec = parse('qwen2.5-7b', {
      use_sliding_window: true,
      sliding_window: 4096,
      max_window_layers: 20,
    });
    expect(windows(spec).slice(18, 22)).toEqual([null, null, 4096, 4096]);
    expect(windows(spec).filter((window) => window === 4096)).toHaveLength(28 - 20);
  });

  it('applies Mistral-7B-v0.1 window 4096 to all 32 layers', () => {
    expect(windows(parse('mistral-7b'))).toEqual(new Array(32).fill(4096));
  });

  it('runs Phi-3-mini at full attention and warns about its 2047 window', () => {
    const spec = parse('phi-3-mini');
    expect(windows(spec).every((window) => window === null)).toBe(true);
    expect(spec.warnings[0]).toMatchObject({
      code: 'sliding_window_ignored',
      data: { window: 2047 },
    });
    expect(shapeOf(spec, 'model.layers.0.self_attn.qkv_proj.weight')).toEqual([3 * 3072, 3072]);
    expect(shapeOf(spec, 'model.layers.0.mlp.gate_up_proj.weight')).toEqual([2 * 8192, 3072]);
  });

  it('gives Phi-2 an LM head with bias', () => {
    expect(shapeOf(parse('phi-2'), 'lm_head.bias')).toEqual([51200]);
  });

  it('emits no LM head for tied Llama-3.2-1B and uses its head_dim 64', () => {
    const spec = parse('llama-3.2-1b');
    expect(spec.tensors.some((tensor) => tensor.role === 'output')).toBe(false);
    expect(attention(spec)[0]).toMatchObject({ heads: 32, kvHeads: 8, headDimK: 64 });
  });

  it('keeps dense MLPs on Qwen3-MoE mlp_only_layers', () => {
    const spec = parse('qwen3-30b-a3b', { mlp_only_layers: [0, 47] });
    expect(spec.layers.map((layer) => layer.ffn).filter((ffn) => ffn === 'dense')).toHaveLength(2);
    expect(spec.moe?.moeLayers).toBe(48 - 2);
    expect(shapeOf(spec, 'model.layers.0.mlp.down_proj.weight')).toEqual([2048, 6144]);
  });

  it('stores each expert projection once per layer with copies and top-k', () => {
    const spec = parse('qwen3-30b-a3b');
    const experts = spec.tensors.filter((tensor) => tensor.group === 'experts');
    expect(experts).toHaveLength(48 * 3); // layers x gate/up/down
    expect(experts[0]).toMatchObject({ shape: [768, 2048], copies: 128, activeCopies: 8 });
  });

  it('gives Qwen1.5-MoE a shared expert with its sigmoid gate', () => {
    const spec = parse('qwen1.5-moe');
    expect(spec.moe).toMatchObject({ routedExperts: 60, expertsPerToken: 4, sharedExperts: 1 });
    expect(shapeOf(spec, 'model.layers.0.mlp.shared_expert_gate.weight')).toEqual([1, 2048]);
  });

  it('reads GPT-2 with learned positions and a tied head', () => {
    const spec = parse('gpt2');
    expect(shapeOf(spec, 'transformer.wpe.weight')).toEqual([1024, 768]);
    expect(attention(spec)[0]).toMatchObject({ heads: 12, kvHeads: 12, headDimK: 64 });
    expect(spec.tiedEmbeddings).toBe(true);
  });
});

describe('Granite', () => {
  const granite = {
    model_type: 'granite',
    hidden_size: 256,
    intermediate_size: 512,
    num_hidden_layers: 2,
    num_attention_heads: 8,
    num_key_value_heads: 2,
    vocab_size: 1000,
    tie_word_embeddings: true,
    attention_bias: false,
    mlp_bias: false,
  };

  it('reads Granite dense as the Llama layout', () => {
    const spec = parseHfConfig(granite);
    expect(spec.modelType).toBe('granite');
    expect(attention(spec)[0]).toMatchObject({ heads: 8, kvHeads: 2, headDimK: 32 });
  });

  it('reads Granite MoE fused expert projections and its shared MLP', () => {
    const spec = parseHfConfig({
      ...granite,
      model_type: 'granitemoeshared',
      num_local_experts: 40,
      num_experts_per_tok: 8,
      shared_intermediate_size: 1024,
    });
    const inputLinear = spec.tensors.find((tensor) => tensor.role === 'ffn_gate_up');
    expect(inputLinear).toMatchObject({ shape: [2 * 512, 256], copies: 40, activeCopies: 8 });
    expect(spec.tensors.filter((tensor) => tensor.group === 'shared_experts')).toHaveLength(2 * 3);
  });
});

describe('Qwen3-VL', () => {
  it('parses the text decoder from text_config and the tower as vision', () => {
    const spec = parse('qwen3-vl-8b');
    expect(spec.modelType).toBe('qwen3_vl');
    expect(spec.layers).toHaveLength(36);
    expect(spec.checkpoint.dtype).toBe('bf16');
    const vision = spec.tensors.filter((tensor) => tensor.group === 'vision');
    expect(
      vision.find((tensor) => tensor.name === 'visual.patch_embed.proj.weight')?.shape,
    ).toEqual([1152, 3, 2, 16, 16]);
    expect(vision.filter((tensor) => tensor.name.endsWith('linear_fc2.bias'))).toHaveLength(
      27 + 1 + 3, // blocks + merger + deepstack mergers
    );
  });
});

describe('checkpoint dtype and names', () => {
  it.each([
    ['bfloat16', 'bf16'],
    ['float16', 'f16'],
    ['float32', 'f32'],
    ['float8_e4m3fn', 'fp8'],
  ] as const)('maps torch_dtype %s to %s', (torchDtype, dtype) => {
    expect(parse('llama-3.2-1b', { torch_dtype: torchDtype }).checkpoint.dtype).toBe(dtype);
  });

  it('rejects an unknown dtype naming the field', () => {
    expect(() => parse('llama-3.2-1b', { torch_dtype: 'float12' })).toThrow(
      expect.objectContaining({ code: 'invalid_field', field: 'torch_dtype' }),
    );
  });

  it('names the spec from options, then _name_or_path, then the model type', () => {
    const config = configOf('gpt2');
    expect(parseHfConfig(config, { name: 'mine' }).name).toBe('mine');
    expect(parseHfConfig({ ...config, _name_or_path: 'openai-community/gpt2' }).name).toBe(
      'openai-community/gpt2',
    );
    expect(parseHfConfig(config).name).toBe('gpt2');
    expect(parseHfConfig(config).source).toBe('hf-config');
  });
});
