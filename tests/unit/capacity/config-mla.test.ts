import { describe, expect, it } from 'vitest';

import { findCatalogueModel, publishedBounds } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { kvBytesAt, kvBytesPerToken, kvProfile, layerCaches } from '../../../lib/capacity/kv.ts';
import { countParams } from '../../../lib/capacity/params.ts';
import type { MlaMixer, ModelSpec } from '../../../lib/capacity/spec.ts';
import { sharedConfigOr, sharedTruth } from '../../support/shared-fixtures.ts';

const V3_FILE = 'deepseek-ai__DeepSeek-V3.json';

function catalogueConfig(id: string, overrides: Record<string, unknown> = {}) {
  return { ...findCatalogueModel(id).config, ...overrides };
}

function mlaMixers(spec: ModelSpec): MlaMixer[] {
  return spec.layers.map((layer) => {
    if (layer.mixer.kind !== 'mla') throw new Error(`layer ${layer.index} is not MLA`);
    return layer.mixer;
  });
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

function inBounds(value: number, published: `${number}B`): boolean {
  const { low, high } = publishedBounds(published);
  return value >= low && value <= high;
}

describe('DeepSeek-V3', () => {
  const spec = parseHfConfig(sharedConfigOr(V3_FILE, catalogueConfig('deepseek-v3')));
  const counts = countParams(spec);
  const truth = sharedTruth(V3_FILE);
  const h = 7168;

  it('has 61 MLA layers: 3 dense, then 58 with experts', () => {
    expect(spec.modelType).toBe('deepseek_v3');
    expect(mlaMixers(spec)).toHaveLength(61);
    expect(spec.layers.slice(0, 4).map((layer) => layer.ffn)).toEqual([
      'dense',
      'dense',
      'dense',
      'moe',
    ]);
    expect(spec.moe).toEqual({
      routedExperts: 256,
      expertsPerToken: 8,
      sharedExperts: 1,
      moeLayers: 58,
    });
  });

  it('reads the MLA ranks and head dims of every layer', () => {
    expect(mlaMixers(spec)[0]).toEqual({
      kind: 'mla',
      heads: 128,
      qLoraRank: 1536,
      kvLoraRank: 512,
      qkNopeHeadDim: 128,
      qkRopeHeadDim: 64,
      vHeadDim: 128,
    });
  });

  it('caches kvLoraRank + qkRopeHeadDim = 576 elements per token per layer', () => {
    const caches = layerCaches(spec);
    expect(caches.every((cache) => cache.kind === 'mla')).toBe(true);
    expect(caches.map((cache) => cache.kElementsPerToken + cache.vElementsPerToken)).toEqual(
      new Array<number>(61).fill(512 + 64),
    );
  });

  it('costs 70,272 KV bytes per token at f16 and 2196 MiB at 32k (capacity.md T1)', () => {
    const profile = f16Profile(spec);
    expect(kvBytesPerToken(profile)).toBe(61 * 576 * 2); // layers x latent+rope x f16
    expect(kvBytesAt(profile, 32768, 1)).toBe(2_302_672_896); // 70,272 x 32768 = 2196 MiB
    if (truth) expect(kvBytesPerToken(profile)).toBe(truth.kv_bytes_per_token_f16);
  });

  it('counts each group tensor by tensor', () => {
    const mla = h * 1536 + 128 * 192 * 1536 + h * 576 + 128 * 256 * 512 + h * 128 * 128;
    expect(counts.byGroup.embedding).toBe(129280 * h);
    expect(counts.byGroup.head).toBe(129280 * h);
    expect(counts.byGroup.attention).toBe(61 * mla); // q_a, q_b, kv_a, kv_b, o
    expect(counts.byGroup.norm).toBe(61 * (2 * h + 1536 + 512) + h); // 2 per layer, q_a, kv_a
    expect(counts.byGroup.mlp).toBe(3 * 3 * h * 18432); // 3 dense layers x gate/up/down
    expect(counts.byGroup.experts).toBe(58 * 256 * 3 * h * 2048);
    expect(counts.byGroup.shared_experts).toBe(58 * 3 * h * 2048);
    expect(counts.byGroup.router).toBe(58 * (256 * h + 256)); // weight + correction bias
  });

  it('totals 671,026,419,200 parameters without the MTP layer', () => {
    expect(counts.total).toBe(671_026_419_200);
    expect(inBounds(counts.total, '671B')).toBe(true);
    if (truth) expect(counts.total).toBe(truth.params_total_computed);
  });

  it('reads 37,552,297,472 parameters per token, 37B without the input embedding', () => {
    expect(counts.active).toBe(37_552_297_472);
    expect(counts.activeExcludingEmbeddings).toBe(37_552_297_472 - 129280 * h);
    expect(inBounds(counts.activeExcludingEmbeddings, '37B')).toBe(true);
    if (truth) expect(counts.active).toBe(truth.params_active_computed_incl_embeddings);
  });

  it('reports the MTP layer apart: outside layers and totals, in group mtp', () => {
    const moeLayer =
      128 * 192 * 1536 +
      h * 1536 +
      h * 576 +
      128 * 256 * 512 +
      h * 128 * 128 +
      1536 +
      512 +
      2 * h +
      256 * 3 * h * 2048 +
      3 * h * 2048 +
      256 * h +
      256;
    const module = 2 * 129280 * h + 3 * h + h * 2 * h; // own embed + head, 3 norms, eh_proj
    expect(spec.mtpLayers).toBe(1);
    expect(spec.layers).toHaveLength(61);
    expect(counts.mtp).toBe(moeLayer + module);
    expect(counts.mtp).toBe(13_463_426_304);
    expect(counts.byGroup.mtp).toBe(counts.mtp);
  });

  it('sums to 684.5B with the MTP module (the hub shows 685B, fp8 scales included)', () => {
    expect(counts.total + counts.mtp).toBe(684_489_845_504); // 671.03B + 13.46B
    expect(685e9 - (counts.total + counts.mtp)).toBeLessThan(1e9);
  });

  it('marks MTP tensors as never read per generated token', () => {
    const mtp = spec.tensors.filter((tensor) => tensor.group === 'mtp');
    expect(mtp.length).toBeGreaterThan(0);
    expect(mtp.every((tensor) => tensor.activeCopies === 0 && tensor.layer === null)).toBe(true);
    expect(shapeOf(spec, 'model.layers.61.eh_proj.weight')).toEqual([h, 2 * h]);
    expect(spec.warnings.map((warning) => warning.code)).toEqual(['mtp_layers_excluded']);
  });

  it('gives MoE routers a correction bias and leaves dense layers without one', () => {
    expect(shapeOf(spec, 'model.layers.3.mlp.gate.weight')).toEqual([256, h]);
    expect(shapeOf(spec, 'model.layers.3.mlp.gate.e_score_correction_bias')).toEqual([256]);
    expect(shapeOf(spec, 'model.layers.2.mlp.gate.weight')).toBeUndefined();
    expect(shapeOf(spec, 'model.layers.2.mlp.gate_proj.weight')).toEqual([18432, h]);
  });

  it('reads the fp8 block quantization of the checkpoint', () => {
    expect(spec.checkpoint.quantization?.method).toBe('fp8');
  });
});

describe('DeepSeek-V2-Lite', () => {
  const spec = parseHfConfig(catalogueConfig('deepseek-v2-lite'));
  const counts = countParams(spec);
  const h = 2048;

  it('projects queries directly when q_lora_rank is null', () => {
    expect(mlaMixers(spec)[0]?.qLoraRank).toBeNull();
    expect(shapeOf(spec, 'model.layers.0.self_attn.q_proj.weight')).toEqual([16 * 192, h]);
    expect(shapeOf(spec, 'model.layers.0.self_attn.q_a_proj.weight')).toBeUndefined();
    expect(shapeOf(spec, 'model.layers.0.self_attn.kv_b_proj.weight')).toEqual([16 * 256, 512]);
  });

  it('has one dense layer, then 26 layers of 64 experts (top 6) and 2 shared experts', () => {
    expect(spec.layers.filter((layer) => layer.ffn === 'moe')).toHaveLength(26);
    expect(spec.layers[0]?.ffn).toBe('dense');
    expect(spec.moe).toEqual({
      routedExperts: 64,
      expertsPerToken: 6,
      sharedExperts: 2,
      moeLayers: 26,
    });
    expect(shapeOf(spec, 'model.layers.1.mlp.shared_experts.up_proj.weight')).toEqual([
      2 * 1408,
      h,
    ]);
  });

  it('has no router correction bias (greedy top-k)', () => {
    const biases = spec.tensors.filter((tensor) => tensor.name.endsWith('e_score_correction_bias'));
    expect(biases).toHaveLength(0);
  });

  it('totals 15,706,484,224 parameters, the card 15.7B', () => {
    expect(counts.total).toBe(15_706_484_224);
    expect(inBounds(counts.total, '15.7B')).toBe(true);
    expect(counts.mtp).toBe(0);
  });

  it('reads 2.45B per token without the input embedding, the card 2.4B (truncated)', () => {
    expect(counts.activeExcludingEmbeddings).toBe(2_451_435_008);
    expect(counts.active).toBe(2_451_435_008 + 102400 * h); // plus the embedding table
    expect(Math.floor(counts.activeExcludingEmbeddings / 1e8) / 10).toBe(2.4);
  });

  it('costs 31,104 KV bytes per token and 1,019,215,872 at 32k (capacity.md B8)', () => {
    const profile = f16Profile(spec);
    expect(kvBytesPerToken(profile)).toBe(27 * 576 * 2); // layers x latent+rope x f16
    expect(kvBytesAt(profile, 32768, 1)).toBe(27 * 576 * 2 * 32768);
  });
});

describe('Kimi-K2', () => {
  const config = {
    ...catalogueConfig('deepseek-v3'),
    model_type: 'kimi_k2',
    num_attention_heads: 64,
    num_key_value_heads: 64,
    n_routed_experts: 384,
    first_k_dense_replace: 1,
    num_nextn_predict_layers: 0,
    vocab_size: 163840,
    max_position_embeddings: 131072,
  };
  const spec = parseHfConfig(config);
  const counts = countParams(spec);

  it('reads the DeepSeek-V3 layout with 64 heads and 384 experts', () => {
    expect(spec.modelType).toBe('kimi_k2');
    expect(mlaMixers(spec)[0]?.heads).toBe(64);
    expect(spec.moe).toMatchObject({ routedExperts: 384, expertsPerToken: 8, moeLayers: 60 });
    expect(spec.mtpLayers).toBe(0);
  });

  it('totals about 1T parameters and 32B per token, as its card says', () => {
    expect(counts.total).toBe(1_026_408_232_448);
    expect(Math.round(counts.total / 1e12)).toBe(1);
    expect(counts.activeExcludingEmbeddings).toBe(31_687_095_808);
    expect(inBounds(counts.activeExcludingEmbeddings, '32B')).toBe(true);
  });
});

describe('MLA config errors', () => {
  it('names kv_lora_rank when it is missing', () => {
    const config: Record<string, unknown> = catalogueConfig('deepseek-v3');
    delete config.kv_lora_rank;
    const error = capacityError(() => parseHfConfig(config));
    expect(error.code).toBe('missing_field');
    expect(error.field).toBe('kv_lora_rank');
  });

  it('rejects a dense prefix longer than the model', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('deepseek-v3', { first_k_dense_replace: 62 })),
    );
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe('first_k_dense_replace');
  });

  it('rejects more experts per token than routed experts', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('deepseek-v2-lite', { num_experts_per_tok: 65 })),
    );
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toContain('num_experts_per_tok');
  });

  it('rejects a fractional rope head dim', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('deepseek-v3', { qk_rope_head_dim: 64.5 })),
    );
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('qk_rope_head_dim');
  });
});
