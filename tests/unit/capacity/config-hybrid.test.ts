import { describe, expect, it } from 'vitest';

import { findCatalogueModel, publishedBounds } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { kvBytesAt, kvBytesPerToken, kvProfile, layerCaches } from '../../../lib/capacity/kv.ts';
import { countParams } from '../../../lib/capacity/params.ts';
import type { Mixer, ModelSpec } from '../../../lib/capacity/spec.ts';
import { sharedConfigOr, sharedTruth } from '../../support/shared-fixtures.ts';

const JAMBA_FILE = 'ai21labs__Jamba-v0.1.json';
const NEMOTRON_FILE = 'nvidia__Nemotron-H-56B-Base-8K.json';
const KIMI_FILE = 'moonshotai__Kimi-Linear-48B-A3B-Instruct.json';

function catalogueConfig(id: string, overrides: Record<string, unknown> = {}) {
  return { ...findCatalogueModel(id).config, ...overrides };
}

/** Indices of the layers whose mixer is of `kind`. */
function layersOf(spec: ModelSpec, kind: Mixer['kind']): number[] {
  return spec.layers.filter((layer) => layer.mixer.kind === kind).map((layer) => layer.index);
}

function firstMixer(spec: ModelSpec, kind: Mixer['kind']): Mixer | undefined {
  return spec.layers.find((layer) => layer.mixer.kind === kind)?.mixer;
}

function shapeOf(spec: ModelSpec, name: string): readonly number[] | undefined {
  return spec.tensors.find((tensor) => tensor.name === name)?.shape;
}

function f16Profile(spec: ModelSpec) {
  return kvProfile(layerCaches(spec), { k: 'f16', v: 'f16', recurrent: 'f16' });
}

function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    if (error instanceof CapacityError) return error;
    throw error;
  }
  throw new Error('expected a CapacityError');
}

describe('Jamba-v0.1', () => {
  const spec = parseHfConfig(sharedConfigOr(JAMBA_FILE, catalogueConfig('jamba-v0.1')));
  const counts = countParams(spec);
  const truth = sharedTruth(JAMBA_FILE);

  it('puts attention on the 4 layers where i % 8 == 4 and Mamba on the other 28', () => {
    expect(layersOf(spec, 'attention')).toEqual([4, 12, 20, 28]);
    expect(layersOf(spec, 'recurrent')).toHaveLength(28);
    expect(firstMixer(spec, 'attention')).toMatchObject({ heads: 32, kvHeads: 8, headDimK: 128 });
  });

  it('keeps Mamba state 8192 x 16 and conv 3 x 8192 per layer', () => {
    expect(firstMixer(spec, 'recurrent')).toEqual({
      kind: 'recurrent',
      variant: 'mamba1',
      stateElements: 8192 * 16, // inner (2 x 4096) x state
      convElements: 3 * 8192, // (kernel - 1) x inner
    });
  });

  it('costs 16,384 KV bytes per token plus 4,358,144 state elements per sequence', () => {
    const profile = f16Profile(spec);
    // layers x KV heads x head dim x K+V x f16 bytes
    expect(kvBytesPerToken(profile)).toBe(4 * 8 * 128 * 2 * 2);
    expect(profile.recurrentBytesPerSequence).toBe(28 * (131072 + 24576) * 2);
    if (truth) expect(kvBytesPerToken(profile)).toBe(truth.kv_bytes_per_token_f16);
  });

  it('needs 4 GiB of KV plus 8.7 MB of state at 256k context (capacity.md T12)', () => {
    const profile = f16Profile(spec);
    expect(kvBytesAt(profile, 262144, 1)).toBe(16384 * 262144 + 4_358_144 * 2);
  });

  it('puts 16 experts (top 2) on every odd layer and a dense MLP on the others', () => {
    expect(spec.layers.slice(0, 4).map((layer) => layer.ffn)).toEqual([
      'dense',
      'moe',
      'dense',
      'moe',
    ]);
    expect(spec.moe).toEqual({
      routedExperts: 16,
      expertsPerToken: 2,
      sharedExperts: 0,
      moeLayers: 16,
    });
    expect(shapeOf(spec, 'model.layers.1.feed_forward.router.weight')).toEqual([16, 4096]);
    expect(shapeOf(spec, 'model.layers.0.mamba.dt_layernorm.weight')).toEqual([256]);
  });

  it('totals 51,570,323,328 parameters and reads 12,110,311,296 per token', () => {
    expect(counts.total).toBe(51_570_323_328);
    expect(counts.active).toBe(12_110_311_296);
    expect(counts.total - counts.active).toBe(16 * (16 - 2) * 3 * 4096 * 14336); // idle experts
    const published = publishedBounds('52B');
    expect(counts.total >= published.low && counts.total <= published.high).toBe(true);
    if (truth) {
      expect(counts.total).toBe(truth.params_total_computed);
      expect(counts.active).toBe(truth.params_active_computed_incl_embeddings);
    }
  });

  it('keeps every feed-forward dense with a single expert', () => {
    const dense = parseHfConfig(catalogueConfig('jamba-v0.1', { num_experts: 1 }));
    expect(dense.moe).toBeNull();
    expect(dense.layers.every((layer) => layer.ffn === 'dense')).toBe(true);
  });

  it('reports a stated sliding window without applying it', () => {
    const windowed = parseHfConfig(catalogueConfig('jamba-v0.1', { sliding_window: 4096 }));
    expect(windowed.warnings.map((warning) => warning.code)).toEqual(['sliding_window_ignored']);
    expect(firstMixer(windowed, 'attention')).toMatchObject({ window: null });
  });
});

describe('Jamba config errors', () => {
  it.each([
    ['attn_layer_offset', { attn_layer_offset: 8 }],
    ['attn_layer_period', { attn_layer_period: 33 }],
    ['expert_layer_offset', { expert_layer_offset: 2 }],
    ['expert_layer_period', { expert_layer_period: 0 }],
  ])('rejects %s outside the layer pattern', (field, overrides) => {
    const error = capacityError(() => parseHfConfig(catalogueConfig('jamba-v0.1', overrides)));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe(field);
  });
});

describe('Nemotron-H-56B', () => {
  const spec = parseHfConfig(sharedConfigOr(NEMOTRON_FILE, catalogueConfig('nemotron-h-56b')));
  const counts = countParams(spec);

  it('reads 54 Mamba-2, 10 attention and 54 MLP-only layers from the pattern', () => {
    expect(spec.layers).toHaveLength(118);
    expect(layersOf(spec, 'recurrent')).toHaveLength(54);
    expect(layersOf(spec, 'attention')).toEqual([7, 18, 29, 40, 51, 62, 73, 84, 95, 106]);
    expect(layersOf(spec, 'none')).toHaveLength(54);
    expect(spec.layers.filter((layer) => layer.ffn === 'dense')).toHaveLength(54);
  });

  it('keeps Mamba-2 state 256 heads x 64 x 256 and conv 3 x (16384 + 2 x 8 x 256)', () => {
    expect(firstMixer(spec, 'recurrent')).toEqual({
      kind: 'recurrent',
      variant: 'mamba2',
      stateElements: 256 * 64 * 256,
      convElements: 3 * (16384 + 2 * 8 * 256),
    });
  });

  it('costs 40,960 KV bytes per token from its 10 attention layers', () => {
    const profile = f16Profile(spec);
    // layers x KV heads x head dim x K+V x f16 bytes
    expect(kvBytesPerToken(profile)).toBe(10 * 8 * 128 * 2 * 2);
    expect(profile.recurrentBytesPerSequence).toBe(229_810_176 * 2); // 54 x 4,255,744 x f16
  });

  it('builds ReLU^2 MLPs of up and down projections only', () => {
    expect(shapeOf(spec, 'backbone.layers.1.mixer.up_proj.weight')).toEqual([32768, 8192]);
    expect(shapeOf(spec, 'backbone.layers.1.mixer.gate_proj.weight')).toBeUndefined();
    expect(shapeOf(spec, 'backbone.layers.0.mixer.in_proj.weight')).toEqual([
      2 * 16384 + 2 * 8 * 256 + 256, // z and x, B and C, dt per head
      8192,
    ]);
  });

  it('totals 56,324,350,464 parameters, within the rounding of its 56B name', () => {
    expect(counts.total).toBe(56_324_350_464);
    const published = publishedBounds('56B');
    expect(counts.total >= published.low && counts.total <= published.high).toBe(true);
  });
});

describe('Nemotron-H config errors', () => {
  const pattern = findCatalogueModel('nemotron-h-56b').config.hybrid_override_pattern as string;

  it('rejects an unknown pattern character and names its position', () => {
    const bad = `M${'E'}${pattern.slice(2)}`;
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('nemotron-h-56b', { hybrid_override_pattern: bad })),
    );
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('hybrid_override_pattern[1]');
    expect(error.expected).toContain('M (Mamba-2)');
  });

  it('rejects a pattern whose length is not the layer count', () => {
    const error = capacityError(() =>
      parseHfConfig(
        catalogueConfig('nemotron-h-56b', { hybrid_override_pattern: pattern.slice(1) }),
      ),
    );
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toBe('hybrid_override_pattern, num_hidden_layers');
  });
});

describe('Qwen3-Next-80B-A3B', () => {
  const spec = parseHfConfig(catalogueConfig('qwen3-next-80b-a3b'));
  const counts = countParams(spec);

  it('puts full attention on every 4th layer and gated DeltaNet on the other 36', () => {
    expect(layersOf(spec, 'attention')).toEqual(Array.from({ length: 12 }, (_, i) => 4 * i + 3));
    expect(layersOf(spec, 'recurrent')).toHaveLength(36);
  });

  it('keeps DeltaNet state 32 x 128 x 128 and conv 3 x (2 x 16 x 128 + 32 x 128)', () => {
    expect(firstMixer(spec, 'recurrent')).toEqual({
      kind: 'recurrent',
      variant: 'gated_deltanet',
      stateElements: 32 * 128 * 128, // value heads x value dim x key dim
      convElements: 3 * (2 * 16 * 128 + 32 * 128), // (kernel - 1) x (q + k + v channels)
    });
  });

  it('costs 24,576 KV bytes per token from its 12 attention layers', () => {
    const profile = f16Profile(spec);
    // layers x KV heads x head dim x K+V x f16 bytes
    expect(kvBytesPerToken(profile)).toBe(12 * 2 * 256 * 2 * 2);
    expect(profile.recurrentBytesPerSequence).toBe(19_759_104 * 2); // 36 x 548,864 x f16
  });

  it('doubles q_proj for the output gate and fuses the DeltaNet projections', () => {
    expect(shapeOf(spec, 'model.layers.3.self_attn.q_proj.weight')).toEqual([2 * 16 * 256, 2048]);
    expect(shapeOf(spec, 'model.layers.3.self_attn.o_proj.weight')).toEqual([2048, 16 * 256]);
    expect(shapeOf(spec, 'model.layers.0.linear_attn.in_proj_qkvz.weight')).toEqual([
      2 * 2048 + 2 * 4096,
      2048,
    ]);
    expect(shapeOf(spec, 'model.layers.0.mlp.shared_expert_gate.weight')).toEqual([1, 2048]);
  });

  it('totals 79,674,391,296 parameters and reads 3,874,929,408 per token', () => {
    expect(spec.moe).toEqual({
      routedExperts: 512,
      expertsPerToken: 10,
      sharedExperts: 1,
      moeLayers: 48,
    });
    expect(counts.total).toBe(79_674_391_296);
    expect(counts.active).toBe(3_874_929_408);
    expect(counts.total - counts.active).toBe(48 * (512 - 10) * 3 * 2048 * 512); // idle experts
  });

  it('builds the layers from layer_types when it is stated', () => {
    const types = Array.from({ length: 48 }, (_, i) =>
      i % 2 === 0 ? 'linear_attention' : 'full_attention',
    );
    const typed = parseHfConfig(catalogueConfig('qwen3-next-80b-a3b', { layer_types: types }));
    expect(layersOf(typed, 'attention')).toHaveLength(24);
  });

  it('rejects an unknown layer type', () => {
    const types = new Array<string>(48).fill('linear_attention');
    types[5] = 'sliding_attention';
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('qwen3-next-80b-a3b', { layer_types: types })),
    );
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('layer_types[5]');
  });
});

describe('Kimi-Linear-48B-A3B', () => {
  const spec = parseHfConfig(sharedConfigOr(KIMI_FILE, catalogueConfig('kimi-linear')));
  const counts = countParams(spec);

  it('puts MLA on layers 4, 8, ..., 24, 27 (from 1) and KDA on the other 20', () => {
    expect(layersOf(spec, 'mla')).toEqual([3, 7, 11, 15, 19, 23, 26]);
    expect(layersOf(spec, 'recurrent')).toHaveLength(20);
  });

  it('keeps KDA state 32 x 128 x 128 and three conv windows of 3 x 4096', () => {
    expect(firstMixer(spec, 'recurrent')).toEqual({
      kind: 'recurrent',
      variant: 'kda',
      stateElements: 32 * 128 * 128, // heads x key dim x value dim
      convElements: 3 * 3 * 32 * 128, // (kernel - 1) x (q, k, v) x heads x dim
    });
  });

  it('caches 576 elements per token on each MLA layer: 8,064 bytes at f16', () => {
    const profile = f16Profile(spec);
    expect(kvBytesPerToken(profile)).toBe(7 * (512 + 64) * 2); // layers x latent+rope x f16
    expect(profile.recurrentBytesPerSequence).toBe(11_223_040 * 2); // 20 x 561,152 x f16
  });

  it('totals exactly 49,122,681,728 parameters, the sum of its safetensors', () => {
    expect(counts.total).toBe(49_122_681_728);
    const truth = sharedTruth(KIMI_FILE);
    if (truth) expect(counts.total).toBe(truth.params_total);
  });

  it('reads 3.1B per token without the input embedding, the A3B of its name', () => {
    expect(counts.active).toBe(3_484_459_904);
    expect(counts.activeExcludingEmbeddings).toBe(3_484_459_904 - 163840 * 2304);
    const published = publishedBounds('3B');
    expect(counts.activeExcludingEmbeddings).toBeLessThanOrEqual(published.high);
  });

  it('gives its sigmoid router a correction bias and a dense first layer', () => {
    expect(spec.layers[0]?.ffn).toBe('dense');
    expect(shapeOf(spec, 'model.layers.1.block_sparse_moe.gate.e_score_correction_bias')).toEqual([
      256,
    ]);
    expect(shapeOf(spec, 'model.layers.0.self_attn.q_conv1d.weight')).toEqual([4096, 1, 4]);
  });
});

describe('Kimi-Linear config errors', () => {
  function withLinear(overrides: Record<string, unknown>) {
    const linear = findCatalogueModel('kimi-linear').config.linear_attn_config as object;
    return catalogueConfig('kimi-linear', { linear_attn_config: { ...linear, ...overrides } });
  }

  it('rejects a layer listed as both KDA and full attention', () => {
    const error = capacityError(() => parseHfConfig(withLinear({ full_attn_layers: [1, 4] })));
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toContain('linear_attn_config.kda_layers');
  });

  it('rejects a KDA layer beyond the layer count', () => {
    const error = capacityError(() => parseHfConfig(withLinear({ kda_layers: [1, 28] })));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe('linear_attn_config.kda_layers[1]');
  });
});

describe('Zamba-7B', () => {
  /** ZambaConfig's documented defaults, which are Zamba-7B-v1's shape. */
  const zamba7b = {
    model_type: 'zamba',
    hidden_size: 3712,
    intermediate_size: 14848,
    num_hidden_layers: 76,
    num_attention_heads: 16,
    num_key_value_heads: 16,
    n_mamba_heads: 2,
    mamba_d_state: 16,
    mamba_d_conv: 4,
    mamba_expand: 2,
    mamba_dt_rank: 'auto',
    attn_layer_period: 6,
    attn_layer_offset: 4,
    vocab_size: 32000,
    tie_word_embeddings: true,
  };
  const spec = parseHfConfig(zamba7b);
  const counts = countParams(spec);

  it('runs the shared block before 13 of its 76 Mamba layers', () => {
    const hybrid = [2, 7, 13, 19, 25, 31, 37, 43, 49, 55, 61, 67, 73];
    expect(layersOf(spec, 'recurrent')).toHaveLength(76);
    expect(layersOf(spec, 'attention')).toEqual(hybrid.map((layer, run) => layer + run));
    expect(spec.layers).toHaveLength(76 + 13);
  });

  it('keeps one KV cache per run of the shared block: 386,048 bytes per token', () => {
    const profile = f16Profile(spec);
    // runs x KV heads x head dim (2 x 3712 / 16) x K+V x f16 bytes
    expect(kvBytesPerToken(profile)).toBe(13 * 16 * 464 * 2 * 2);
    expect(profile.recurrentBytesPerSequence).toBe(76 * (7424 * 16 + 3 * 7424) * 2);
  });

  it('stores the shared block once, reading twice the hidden size', () => {
    const queries = spec.tensors.filter((tensor) =>
      tensor.name.endsWith('self_attn.q_proj.weight'),
    );
    expect(queries).toHaveLength(1);
    expect(queries[0]?.shape).toEqual([2 * 3712, 2 * 3712]);
    expect(shapeOf(spec, 'model.layers.2.shared_transf.self_attn.o_proj.weight')).toEqual([
      3712,
      2 * 3712,
    ]);
    expect(shapeOf(spec, 'model.layers.2.mamba_decoder.mamba.x_proj_weight')).toEqual([
      2,
      232 + 2 * 16, // dt rank ceil(3712 / 16) + B and C
      7424 / 2,
    ]);
  });

  it('totals 7,232,490,496 parameters, the 7B of its name', () => {
    // in_proj, conv (+bias), x_proj, dt_proj, dt bias + A_log + D, out_proj
    const mamba = 2 * 7424 * 3712 + 7424 * 5 + 264 * 7424 + 7424 * 232 + 7424 * 18 + 3712 * 7424;
    // norms over 2h and h, q/k/v from 2h, o to h, gated MLP
    const shared = 7424 + 3712 + 3 * 7424 * 7424 + 3712 * 7424 + 3 * 3712 * 14848;
    expect(counts.total).toBe(
      32000 * 3712 + 76 * (mamba + 3712) + shared + 13 * 3712 * 3712 + 3712,
    );
    expect(counts.total).toBe(7_232_490_496);
    const published = publishedBounds('7B');
    expect(counts.total >= published.low && counts.total <= published.high).toBe(true);
  });

  it('rejects a layers_block_type entry that is neither mamba nor hybrid', () => {
    const types = new Array<string>(76).fill('mamba');
    types[4] = 'attention';
    const error = capacityError(() => parseHfConfig({ ...zamba7b, layers_block_type: types }));
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('layers_block_type[4]');
  });

  it('rejects a layers_block_type list of the wrong length', () => {
    const types = new Array<string>(75).fill('mamba');
    const error = capacityError(() => parseHfConfig({ ...zamba7b, layers_block_type: types }));
    expect(error.code).toBe('contradictory_fields');
  });
});
