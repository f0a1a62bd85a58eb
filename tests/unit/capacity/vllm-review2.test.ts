// vLLM rules a second domain review found wrong: sampler peak, gemma3 length, batch defaults,
// queued sequences, sliding-window reads, pipeline padding, and the MI250X as ROCm shows it.

import { describe, expect, it } from 'vitest';

import { catalogueSpec, findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { findDevice } from '../../../lib/capacity/devices/catalogue.ts';
import { kvReadBytesPerToken, plan, preparePlan } from '../../../lib/capacity/plan.ts';
import {
  vllmMaxModelLen,
  vllmMaxNumBatchedTokens,
  vllmMaxNumSeqs,
} from '../../../lib/capacity/profiles/vllm-limits.ts';
import {
  mxfp4ExpertPaddingByLayer,
  mxfp4ExpertPaddingBytes,
  VLLM_DEFAULTS,
} from '../../../lib/capacity/profiles/vllm.ts';

const GIB = 2 ** 30;
const gptOss120b = catalogueSpec('openai/gpt-oss-120b');

function part(result: ReturnType<typeof plan>, name: string): number {
  return result.memory.parts.find((entry) => entry.name === name && entry.onDevice)?.bytes ?? NaN;
}

/** Budget less everything but the KV cache: what vLLM logs as "Available KV cache memory". */
function availableKvBytes(result: ReturnType<typeof plan>): number {
  const fit = result.fit[0]!;
  return fit.budgetBytesPerDevice - (result.memory.perDeviceBytes - part(result, 'kv'));
}

describe('vLLM profiling peak (gpt-oss-120b on one H100)', () => {
  const at = (gpuMemoryUtilization: number, maxNumBatchedTokens: number | null) =>
    plan({
      model: gptOss120b,
      engine: { ...VLLM_DEFAULTS, gpuMemoryUtilization, maxNumBatchedTokens },
      devices: ['h100-sxm'],
      contextTokens: 131_072,
    });

  it('charges the sampler run: 1024 rows x 201,088 logits x 38 B above the forward', () => {
    const result = at(0.95, null);
    const sampler = 1024 * 201_088 * 38; // 7,824,736,256 B = 7.29 GiB
    expect(part(result, 'output') + part(result, 'compute')).toBe(sampler);
  });

  it('leaves about the 1.71 GiB vllm#27508 logged at util 0.95, too little for 131k tokens', () => {
    const result = at(0.95, 1024);
    expect(availableKvBytes(result) / GIB).toBeCloseTo(1.71, 0); // 1.88 GiB planned
    const row = 18 * 2 * 8 * 64 * 2; // 36,864 B per token over 18 layers of each kind
    const slidingTokens = (Math.ceil((128 - 1 + 1024) / 16) + 1) * 16; // 1,168
    expect(part(result, 'kv')).toBe((131_072 + slidingTokens) * row); // 4.54 GiB
    expect(result.fit[0]!.fits).toBe(false);
  });

  it('goes below zero as vllm#23278 did at util 0.9 ("Available KV cache memory: -2.14 GiB")', () => {
    const available = availableKvBytes(at(0.9, null)) / GIB;
    expect(available).toBeLessThan(-2);
    expect(available).toBeGreaterThan(-2.3);
  });
});

describe("vLLM's derived length for Gemma 3", () => {
  it('does not scale a gemma3 length by its rope factor (already scaled)', () => {
    const config = { ...findCatalogueModel('google/gemma-3-27b-it').config };
    const gemma = parseHfConfig(config);
    expect(vllmMaxModelLen(gemma)?.tokens).toBe(131_072); // not 131,072 x 8
  });
});

describe('vLLM batch defaults by GPU', () => {
  it('schedules 8192 tokens a step on an H100, 2048 on an RTX 4090 and an A100', () => {
    expect(vllmMaxNumBatchedTokens(VLLM_DEFAULTS, findDevice('h100-sxm'), 131_072)).toBe(8192);
    expect(vllmMaxNumBatchedTokens(VLLM_DEFAULTS, findDevice('rtx-4090'), 131_072)).toBe(2048);
    expect(vllmMaxNumBatchedTokens(VLLM_DEFAULTS, findDevice('a100-80gb-sxm'), 131_072)).toBe(2048);
  });

  it('keeps the default under max_num_seqs x max_model_len, and a setting as given', () => {
    const h100 = findDevice('h100-sxm');
    expect(vllmMaxNumBatchedTokens(VLLM_DEFAULTS, h100, 4)).toBe(4096); // 1024 seqs x 4
    const set = { ...VLLM_DEFAULTS, maxNumBatchedTokens: 512 };
    expect(vllmMaxNumBatchedTokens(set, h100, 131_072)).toBe(512);
    expect(vllmMaxNumSeqs(set, h100)).toBe(512); // min(1024, 512)
  });

  it('sizes Mistral-7B at 16k x 4 on an RTX 4090 with 2048 batched tokens', () => {
    const result = plan({
      model: catalogueSpec('mistralai/Mistral-7B-v0.1'),
      engine: 'vllm',
      devices: ['rtx-4090'],
      contextTokens: 16_384,
      batch: 4,
    });
    const row = 32 * 2 * 8 * 128 * 2; // 131,072 B per token over the 32 sliding layers
    const perRequest = (Math.ceil((4096 - 1 + 2048) / 16) + 1) * 16; // 6,160 tokens
    expect(part(result, 'kv')).toBe(4 * perRequest * row); // 3.01 GiB
    expect(part(result, 'compute')).toBe(2048 * (4 * 4096 + 3 * 14_336) * 2); // 0.227 GiB
    expect(result.fit[0]!.maxConcurrency).toBe(9);
    expect(result.fit[0]!.marginBytes / GIB).toBeCloseTo(4.19, 1);
  });

  it('samples max_num_seqs rows in the profile: 1024 on an H200, 256 on an RTX 4090', () => {
    const llama = catalogueSpec('meta-llama/Llama-3.1-8B');
    const sampled = (device: string) => {
      const result = plan({ model: llama, engine: 'vllm', devices: [device], contextTokens: 4096 });
      return part(result, 'output') + part(result, 'compute');
    };
    expect(sampled('h200')).toBe(1024 * 128_256 * 38); // 4.65 GiB
    expect(sampled('rtx-4090')).toBe(256 * 128_256 * 38); // 1.16 GiB
  });
});

describe('sequences past --max-num-seqs', () => {
  const qwen = catalogueSpec('Qwen/Qwen3-0.6B');
  const at = (batch: number) =>
    plan({
      model: qwen,
      engine: 'vllm',
      devices: ['h200'],
      contextTokens: 1024,
      batch,
      priceUsdPerGpuHour: 3,
    });

  it('plans memory, speed and cost for the 1024 that run, not all 2000', () => {
    const running = at(1024);
    const asked = at(2000);
    expect(asked.memory.perDeviceBytes).toBe(running.memory.perDeviceBytes);
    expect(asked.fit[0]!.marginBytes).toBe(running.fit[0]!.marginBytes);
    expect(asked.fit[0]!.marginBytes).toBeGreaterThan(0);
    expect(asked.fit[0]!.speed).toEqual(running.fit[0]!.speed);
    expect(asked.fit[0]!.cost).toEqual(running.fit[0]!.cost);
    expect(asked.warnings.some((warning) => /the other 976 wait/.test(warning.message))).toBe(true);
  });
});

describe('vLLM decode reads the window on sliding layers', () => {
  it('reads 18 full layers x 8192 + 18 sliding x 128 tokens for gpt-oss-120b at 8k', () => {
    const prepared = preparePlan({ model: gptOss120b, engine: 'vllm', devices: ['h200'] });
    const row = 2 * 8 * 64 * 2; // 2,048 B per token per layer: K+V x 8 kv heads x 64 x f16
    const read = 18 * 8192 * row + 18 * 128 * row; // 306,708,480 B = 307 MB
    expect(kvReadBytesPerToken(prepared, 8192)).toBe(read);
  });
});

describe('MXFP4 padding under a vLLM pipeline', () => {
  it('splits the padding per layer and keeps it on the stages', () => {
    const byLayer = mxfp4ExpertPaddingByLayer(gptOss120b, 1);
    const total = mxfp4ExpertPaddingBytes(gptOss120b, 1);
    expect(byLayer.size).toBe(36);
    // per expert: gate_up (2944 x 3072 - 2880 x 2880) x 2 + down (2944 x 3072 - 2880 x 2880)
    // = 2,248,704 elements x 17/32 B = 1,194,624 B; x 128 experts x 36 layers
    expect(total).toBe(1_194_624 * 128 * 36); // 5,504,827,392 B = 5.13 GiB

    const piped = plan({
      model: gptOss120b,
      engine: 'vllm',
      devices: ['h200'],
      gpus: 2,
      parallelism: 'pipeline',
      contextTokens: 8192,
    });
    // The busier of two stages holds at least half of the weights, padding and cache.
    const half = (piped.memory.weightsBytes + total + piped.memory.kvBytes) / 2;
    expect(part(piped, 'weights') + part(piped, 'kv')).toBeGreaterThanOrEqual(half);
  });
});

describe('the MI250X as ROCm exposes it', () => {
  it('is one GCD: 64 GiB at 1638.4 GB/s, half of the module', () => {
    const gcd = findDevice('mi250x');
    expect(gcd.memoryBytes).toBe(64 * GIB); // 128 GiB module / 2 GCDs
    expect(gcd.bandwidthGBs).toBe(3276.8 / 2);
    expect(gcd.fp16Tflops).toBe(383 / 2);
  });
});
