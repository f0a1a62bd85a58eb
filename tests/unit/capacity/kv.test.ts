import { describe, expect, it } from 'vitest';

import {
  kvBytesAt,
  kvBytesPerToken,
  kvGrowthBytesPerToken,
  kvProfile,
  layerCaches,
} from '../../../lib/capacity/kv.ts';
import type { KvDtypes } from '../../../lib/capacity/kv.ts';
import type { MlaMixer, RecurrentMixer } from '../../../lib/capacity/spec.ts';
import { attention, repeat, specWithMixers } from '../../support/spec-factory.ts';

const F16: KvDtypes = { k: 'f16', v: 'f16', recurrent: 'f32' };
const GiB = 2 ** 30;
const MiB = 2 ** 20;

const deepseekMla: MlaMixer = {
  kind: 'mla',
  heads: 128,
  qLoraRank: 1536,
  kvLoraRank: 512,
  qkNopeHeadDim: 128,
  qkRopeHeadDim: 64,
  vHeadDim: 128,
};

function profileOf(spec: ReturnType<typeof specWithMixers>, dtypes = F16) {
  return kvProfile(layerCaches(spec), dtypes);
}

describe('KV cache by attention kind', () => {
  it('sizes GQA by KV heads, not query heads (Llama-3.1-8B)', () => {
    const spec = specWithMixers(repeat(32, attention(8, 128, { heads: 32 })));
    expect(kvBytesPerToken(profileOf(spec))).toBe(32 * 2 * 8 * 128 * 2); // 131,072
  });

  it('sizes MQA with one KV head (Falcon-7B at 2048 tokens is 16 MiB)', () => {
    const spec = specWithMixers(repeat(32, attention(1, 64, { heads: 71 })));
    expect(kvBytesAt(profileOf(spec), 2048, 1)).toBe(16 * MiB); // 32 x 2 x 64 x 2 B x 2048
  });

  it('uses head_dim, not hidden / heads (Qwen3-0.6B at 40960 tokens is 4.375 GiB)', () => {
    const spec = specWithMixers(repeat(28, attention(8, 128, { heads: 16 })));
    expect(kvBytesAt(profileOf(spec), 40960, 1) / GiB).toBe(4.375); // 28 x 2 x 8 x 128 x 2 x 40960
  });

  it('multiplies MLA latent rows by the layer count (DeepSeek-V3 at 32k is 2196 MiB)', () => {
    const spec = specWithMixers(repeat(61, deepseekMla));
    const profile = profileOf(spec);
    expect(kvBytesPerToken(profile)).toBe(61 * 576 * 2); // 70,272
    expect(kvBytesAt(profile, 32768, 1)).toBe(2_302_672_896);
  });

  it.each([
    ['latent', 61 * 576 * 2],
    ['latent_kv', 61 * (576 + 512) * 2],
    ['decompressed', 61 * 128 * (192 + 128) * 2],
  ] as const)('stores MLA in the %s form at its own size', (form, bytesPerToken) => {
    const spec = specWithMixers(repeat(61, deepseekMla));
    expect(kvBytesPerToken(kvProfile(layerCaches(spec, form), F16))).toBe(bytesPerToken);
  });

  it('caps sliding layers at their window (Gemma-3-27B at 131072 tokens is 10.406 GiB)', () => {
    const mixers = Array.from({ length: 62 }, (_, index) =>
      index % 6 === 5 ? attention(16, 128) : attention(16, 128, { window: 1024 }),
    );
    const profile = profileOf(specWithMixers(mixers));
    const global = 10 * 2 * 16 * 128 * 2; // 10 global layers, 81,920 B/token
    const local = 52 * 2 * 16 * 128 * 2 * 1024; // 52 local layers hold 1024 tokens each
    expect(kvBytesAt(profile, 131072, 1)).toBe(global * 131072 + local);
    expect((global * 131072 + local) / GiB).toBeCloseTo(10.406, 3);
    expect(kvGrowthBytesPerToken(profile)).toBe(global);
    expect(kvBytesPerToken(profile)).toBe(62 * 2 * 16 * 128 * 2);
  });

  it('keeps sink tokens on top of the window', () => {
    const spec = specWithMixers([attention(1, 64, { window: 100, sinkTokens: 4 })]);
    expect(kvBytesAt(profileOf(spec), 1000, 1)).toBe(104 * 2 * 64 * 2);
  });

  it('holds a fixed SSM state per sequence (Mamba-2.8B: 24,903,680 B at f32)', () => {
    const mamba: RecurrentMixer = {
      kind: 'recurrent',
      variant: 'mamba1',
      stateElements: 5120 * 16,
      convElements: 3 * 5120,
    };
    const profile = profileOf(specWithMixers(repeat(64, mamba)));
    expect(kvBytesAt(profile, 1, 1)).toBe(24_903_680);
    expect(kvBytesAt(profile, 1_000_000, 1)).toBe(24_903_680);
    expect(kvBytesAt(profile, 10, 3)).toBe(3 * 24_903_680);
    expect(kvBytesPerToken(profile)).toBe(0);
  });

  it('prices q8_0 KV at 34 bytes per 32 elements (Qwen2.5-7B at 262144 is 7.4375 GiB)', () => {
    const spec = specWithMixers(repeat(28, attention(4, 128, { heads: 28 })));
    const profile = profileOf(spec, { k: 'q8_0', v: 'q8_0', recurrent: 'f32' });
    expect(kvBytesAt(profile, 262144, 1) / GiB).toBe(7.4375);
  });

  it('adds nothing for layers without a mixer', () => {
    const spec = specWithMixers([attention(8, 128), { kind: 'none' }]);
    expect(kvBytesPerToken(profileOf(spec))).toBe(2 * 8 * 128 * 2);
  });

  it('never shrinks when the context grows', () => {
    const mixers = [attention(8, 128), attention(8, 128, { window: 512 })];
    const profile = profileOf(specWithMixers(mixers));
    let previous = 0;
    for (let tokens = 1; tokens < 5000; tokens += 97) {
      const bytes = kvBytesAt(profile, tokens, 2);
      expect(bytes).toBeGreaterThanOrEqual(previous);
      previous = bytes;
    }
  });
});
