import { describe, expect, it } from 'vitest';

import { findCatalogueModel, publishedBounds } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import type { KvDtype } from '../../../lib/capacity/kv-dtype.ts';
import { kvBytesAt, kvBytesPerToken, kvProfile, layerCaches } from '../../../lib/capacity/kv.ts';
import { countParams } from '../../../lib/capacity/params.ts';
import type { ModelSpec, RecurrentMixer } from '../../../lib/capacity/spec.ts';
import { sharedConfigOr, sharedTruth } from '../../support/shared-fixtures.ts';

const MAMBA_FILE = 'state-spaces__mamba-2.8b-hf.json';

function catalogueConfig(id: string, overrides: Record<string, unknown> = {}) {
  return { ...findCatalogueModel(id).config, ...overrides };
}

function recurrent(spec: ModelSpec): RecurrentMixer[] {
  return spec.layers.map((layer) => {
    if (layer.mixer.kind !== 'recurrent') throw new Error(`layer ${layer.index} is not recurrent`);
    return layer.mixer;
  });
}

function shapeOf(spec: ModelSpec, name: string): readonly number[] | undefined {
  return spec.tensors.find((tensor) => tensor.name === name)?.shape;
}

function profileAt(spec: ModelSpec, recurrentDtype: KvDtype) {
  return kvProfile(layerCaches(spec), { k: 'f16', v: 'f16', recurrent: recurrentDtype });
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

describe('mamba-2.8b', () => {
  const spec = parseHfConfig(sharedConfigOr(MAMBA_FILE, catalogueConfig('mamba-2.8b')));
  const counts = countParams(spec);

  it('has 64 Mamba-1 layers and no feed-forward blocks', () => {
    const mixers = recurrent(spec);
    expect(mixers).toHaveLength(64);
    expect(mixers.every((mixer) => mixer.variant === 'mamba1')).toBe(true);
    expect(spec.layers.every((layer) => layer.ffn === 'none')).toBe(true);
    expect(spec.moe).toBeNull();
  });

  it('keeps state 5120 x 16 and conv 3 x 5120 elements per layer', () => {
    expect(recurrent(spec)[0]).toMatchObject({
      stateElements: 5120 * 16, // inner x state size
      convElements: (4 - 1) * 5120, // (kernel - 1) x inner
    });
  });

  it('holds 6,225,920 state elements per sequence: 24,903,680 bytes at f32 (capacity.md T11)', () => {
    const perSequence = 64 * (5120 * 16 + 3 * 5120);
    expect(perSequence).toBe(6_225_920);
    expect(profileAt(spec, 'f32').recurrentBytesPerSequence).toBe(perSequence * 4);
    expect(profileAt(spec, 'f16').recurrentBytesPerSequence).toBe(perSequence * 2);
  });

  it('keeps no KV cache, so its state is flat in the context', () => {
    const profile = profileAt(spec, 'f32');
    expect(kvBytesPerToken(profile)).toBe(0);
    expect(kvBytesAt(profile, 1_000_000, 1)).toBe(kvBytesAt(profile, 1, 1));
    expect(kvBytesAt(profile, 4096, 2)).toBe(2 * 24_903_680); // two sequences
    const truth = sharedTruth(MAMBA_FILE);
    if (truth) expect(kvBytesPerToken(profile)).toBe(truth.kv_bytes_per_token_f16);
  });

  it('builds the mixer weights of transformers MambaMixer', () => {
    const mixer = 'backbone.layers.0.mixer';
    expect(shapeOf(spec, `${mixer}.in_proj.weight`)).toEqual([2 * 5120, 2560]);
    expect(shapeOf(spec, `${mixer}.conv1d.weight`)).toEqual([5120, 1, 4]);
    expect(shapeOf(spec, `${mixer}.x_proj.weight`)).toEqual([160 + 2 * 16, 5120]);
    expect(shapeOf(spec, `${mixer}.dt_proj.bias`)).toEqual([5120]);
    expect(shapeOf(spec, `${mixer}.A_log`)).toEqual([5120, 16]);
    expect(shapeOf(spec, 'lm_head.weight')).toBeUndefined(); // tied to the embedding
  });

  it('totals 2,768,345,600 parameters', () => {
    const layer =
      2 * 5120 * 2560 + // in_proj
      5120 * 4 +
      5120 + // conv weight and bias
      (160 + 32) * 5120 + // x_proj
      5120 * 160 +
      5120 + // dt_proj weight and bias
      5120 * 16 +
      5120 + // A_log, D
      2560 * 5120 + // out_proj
      2560; // norm
    expect(counts.total).toBe(50280 * 2560 + 64 * layer + 2560); // embedding, layers, norm_f
    expect(counts.total).toBe(2_768_345_600);
    expect(counts.active).toBe(counts.total);
    const truth = sharedTruth(MAMBA_FILE);
    if (truth) expect(counts.total).toBe(truth.params_total_computed);
  });

  it('reads time_step_rank "auto" as ceil(hidden / 16)', () => {
    const auto = parseHfConfig(catalogueConfig('mamba-2.8b', { time_step_rank: 'auto' }));
    expect(shapeOf(auto, 'backbone.layers.0.mixer.dt_proj.weight')).toEqual([5120, 160]);
    expect(countParams(auto).total).toBe(2_768_345_600);
  });
});

describe('Mamba-2 2.7B', () => {
  const spec = parseHfConfig(catalogueConfig('mamba2-2.7b'));
  const counts = countParams(spec);

  it('keeps state 80 heads x 64 x 128 and conv 3 x (5120 + 2 x 128) per layer', () => {
    const mixers = recurrent(spec);
    expect(mixers).toHaveLength(64);
    expect(mixers[0]).toEqual({
      kind: 'recurrent',
      variant: 'mamba2',
      stateElements: 80 * 64 * 128,
      convElements: 3 * (5120 + 2 * 1 * 128), // (kernel - 1) x (inner + 2 x groups x state)
    });
  });

  it('holds 64 x 671,488 state elements per sequence', () => {
    const perLayer = 80 * 64 * 128 + 3 * (5120 + 256);
    expect(perLayer).toBe(671_488);
    expect(profileAt(spec, 'f32').recurrentBytesPerSequence).toBe(64 * perLayer * 4);
  });

  it('projects z, x, B, C and dt in one in_proj', () => {
    expect(shapeOf(spec, 'backbone.layers.0.mixer.in_proj.weight')).toEqual([
      2 * 5120 + 2 * 128 + 80, // z and x, B and C, dt per head
      2560,
    ]);
    expect(shapeOf(spec, 'backbone.layers.0.mixer.dt_bias')).toEqual([80]);
    expect(shapeOf(spec, 'backbone.layers.0.mixer.norm.weight')).toEqual([5120]);
  });

  it('totals 2,702,599,680 parameters, the 2.7B of its name', () => {
    const layer =
      10576 * 2560 + // in_proj
      5376 * 4 +
      5376 + // conv over x, B, C with bias
      3 * 80 + // dt_bias, A_log, D
      5120 + // gated norm
      2560 * 5120 + // out_proj
      2560; // layer norm
    expect(counts.total).toBe(50288 * 2560 + 64 * layer + 2560);
    expect(counts.total).toBe(2_702_599_680);
    const { low, high } = publishedBounds('2.7B');
    expect(counts.total >= low && counts.total <= high).toBe(true);
  });
});

describe('SSM config errors', () => {
  it('rejects Mamba-2 heads that do not fill the inner size', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('mamba2-2.7b', { num_heads: 64 })),
    );
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toContain('num_heads');
  });

  it('rejects heads that n_groups does not divide', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('mamba2-2.7b', { n_groups: 3 })),
    );
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toContain('n_groups');
  });

  it('names state_size when it is missing', () => {
    const config: Record<string, unknown> = catalogueConfig('mamba-2.8b');
    delete config.state_size;
    const error = capacityError(() => parseHfConfig(config));
    expect(error.code).toBe('missing_field');
    expect(error.field).toBe('state_size');
  });

  it('rejects an intermediate_size that contradicts expand', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('mamba-2.8b', { intermediate_size: 4096 })),
    );
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toContain('intermediate_size');
  });

  it('rejects a time_step_rank that is neither a size nor "auto"', () => {
    const error = capacityError(() =>
      parseHfConfig(catalogueConfig('mamba-2.8b', { time_step_rank: 'large' })),
    );
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('time_step_rank');
  });
});
