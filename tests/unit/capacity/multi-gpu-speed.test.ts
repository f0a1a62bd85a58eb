import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { findDevice } from '../../../lib/capacity/devices/catalogue.ts';
import {
  IN_HOST_ALL_REDUCE_SECONDS,
  NETWORK_ALL_REDUCE_SECONDS,
  tensorParallelLink,
} from '../../../lib/capacity/devices/links.ts';
import { kvReadBytesPerToken, plan, preparePlan } from '../../../lib/capacity/plan.ts';
import type { PlanRequest } from '../../../lib/capacity/plan.ts';
import { CPU_DECODE_BANDWIDTH_SHARE, decodeConstants } from '../../../lib/capacity/throughput.ts';

const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');
const llama405b = catalogueSpec('llama-3.1-405b');
const deepseekV3 = catalogueSpec('deepseek-v3');

function decode(request: PlanRequest) {
  return plan(request).fit[0]!.speed;
}

describe('tensor-parallel links', () => {
  it('keeps 8 HGX H100s on NVLink 4 (900 GB/s) with the in-host all-reduce cost', () => {
    const link = tensorParallelLink(findDevice('h100-sxm'), 8);
    expect(link.scope).toBe('domain');
    expect(link.link.bandwidthGBs).toBe(900);
    expect(link.allReduceSeconds).toBe(IN_HOST_ALL_REDUCE_SECONDS);
  });

  it('sends 16 H100s over the network: 400 Gb/s per GPU = 50 GB/s each way, 100 both', () => {
    const link = tensorParallelLink(findDevice('h100-sxm'), 16);
    expect(link.scope).toBe('network');
    expect(link.link.kind).toBe('network');
    expect(link.link.bandwidthGBs).toBe((400 / 8) * 2);
    expect(link.allReduceSeconds).toBe(NETWORK_ALL_REDUCE_SECONDS);
  });

  it('uses the host PCIe 5.0 x16 (128 GB/s) past an H100 NVL bridge pair', () => {
    const nvl = findDevice('h100-nvl');
    expect(tensorParallelLink(nvl, 2).link.bandwidthGBs).toBe(600);
    expect(tensorParallelLink(nvl, 4)).toMatchObject({
      scope: 'host',
      link: { bandwidthGBs: 128 },
    });
    expect(tensorParallelLink(nvl, 16).scope).toBe('network');
  });

  it('keeps a PCIe card slower than the network at its own 64 GB/s across hosts', () => {
    const card = findDevice('rtx-4090');
    expect(tensorParallelLink(card, 4)).toMatchObject({
      scope: 'domain',
      link: { bandwidthGBs: 64 },
    });
    expect(tensorParallelLink(card, 16)).toMatchObject({
      scope: 'network',
      link: { bandwidthGBs: 64 },
    });
  });

  it('assumes PCIe 3.0 x16 (32 GB/s) where no link is catalogued', () => {
    expect(tensorParallelLink(findDevice('m2-ultra-192gb'), 2).link.bandwidthGBs).toBe(32);
  });
});

describe('plan: tensor parallelism past one host', () => {
  const base = { engine: 'vllm', weights: 'fp8', contextTokens: 4096 } as const;

  it('prices every all-reduce of TP16 at the network rate: 405B FP8 on two HGX H100 hosts', () => {
    const request: PlanRequest = { ...base, model: llama405b, devices: ['h100-sxm'], gpus: 16 };
    const prepared = preparePlan(request);
    const weightBytes = prepared.model.weights.activeBytesPerToken;
    const kvBytes = kvReadBytesPerToken(prepared, 4096);
    const overhead = decodeConstants('datacenter-gpu').overheadSeconds;
    // 126 layers x 2 all-reduces, each 2 x 15/16 x 16384 x 2 B over 50 GB/s plus 40 us.
    const allReduce = (2 * (15 / 16) * 16384 * 2) / 50e9 + 40e-6;
    const step = (weightBytes + kvBytes) / 16 / 3350e9 + overhead + 126 * 2 * allReduce;
    expect(decode(request).decodeTokensPerSecond).toBeCloseTo(1 / step, 6);
  });

  it('does not make TP16 H100 faster than TP8 H100 for Llama-3.1-405B FP8', () => {
    const tp8 = decode({ ...base, model: llama405b, devices: ['h100-sxm'], gpus: 8 });
    const tp16 = decode({ ...base, model: llama405b, devices: ['h100-sxm'], gpus: 16 });
    expect(tp16.decodeTokensPerSecond).toBeLessThanOrEqual(tp8.decodeTokensPerSecond);
  });

  it('keeps TP16 H100 below TP8 H200 for DeepSeek-V3 FP8, at batch 1 and 32', () => {
    for (const batch of [1, 32]) {
      const h100 = decode({ ...base, batch, model: deepseekV3, devices: ['h100-sxm'], gpus: 16 });
      const h200 = decode({ ...base, batch, model: deepseekV3, devices: ['h200'], gpus: 8 });
      expect(h100.decodeTokensPerSecondTotal, `batch ${batch}`).toBeLessThan(
        h200.decodeTokensPerSecondTotal,
      );
    }
  });

  it('says when the group crosses hosts, and not inside one', () => {
    const across = plan({ ...base, model: llama405b, devices: ['h100-sxm'], gpus: 16 });
    const inside = plan({ ...base, model: llama405b, devices: ['h100-sxm'], gpus: 8 });
    const crossing = (warnings: typeof across.warnings) =>
      warnings.filter((warning) => warning.message.includes('crosses hosts'));
    expect(crossing(across.warnings)).toHaveLength(1);
    expect(crossing(across.warnings)[0]!.message).toContain('InfiniBand NDR 400 Gb/s');
    expect(crossing(inside.warnings)).toHaveLength(0);
  });
});

describe("plan: llama.cpp's row split", () => {
  const request: PlanRequest = {
    model: llama8b,
    weights: 'Q4_K_M',
    engine: 'llama.cpp',
    devices: ['rtx-4090'],
    contextTokens: 8192,
  };

  it('plans 2 x RTX 4090 at one card’s decode and prefill speed, and says so', () => {
    const one = decode(request);
    const result = plan({ ...request, gpus: 2, parallelism: 'tensor' });
    const two = result.fit[0]!.speed;
    expect(two.decodeTokensPerSecond).toBeCloseTo(one.decodeTokensPerSecond, 9);
    expect(two.prefillTokensPerSecond).toBeCloseTo(one.prefillTokensPerSecond, 9);
    const note = result.warnings.find((warning) => warning.message.includes('row split'));
    expect(note?.code).toBe('estimate');
    expect(note?.message).toContain('no speedup');
  });

  it('still plans the layer split as a pipeline: a little slower than one card', () => {
    const one = decode(request).decodeTokensPerSecond;
    const layer = decode({ ...request, gpus: 2, parallelism: 'pipeline' }).decodeTokensPerSecond;
    expect(layer).toBeLessThan(one);
    expect(layer).toBeGreaterThan(one * 0.9);
  });
});

describe('plan: CPU hosts', () => {
  it('decodes at 70 % of the DRAM peak with no GPU launch overhead: 0.7 x 51.2 GB/s', () => {
    const request: PlanRequest = {
      model: llama8b,
      weights: 'Q4_K_M',
      devices: ['cpu-ddr4-3200-2ch-64gb'],
      contextTokens: 4096,
    };
    const prepared = preparePlan(request);
    const bytes = prepared.model.weights.activeBytesPerToken + kvReadBytesPerToken(prepared, 4096);
    const result = plan(request);
    const speed = result.fit[0]!.speed.decodeTokensPerSecond;
    expect(CPU_DECODE_BANDWIDTH_SHARE).toBe(0.7);
    expect(speed).toBeCloseTo((0.7 * 51.2e9) / bytes, 9);
    expect((speed * bytes) / 51.2e9).toBeCloseTo(0.7, 9); // not the ~0.98 of a GPU-style fit
    expect(speed).toBeGreaterThan(6);
    expect(speed).toBeLessThan(8);
    const note = result.warnings.find((warning) => warning.message.includes('DRAM peak'));
    expect(note?.code).toBe('estimate');
  });

  it('marks CPU constants as unmeasured and GPU classes as fitted', () => {
    expect(decodeConstants('cpu')).toEqual({
      overheadSeconds: 0,
      bandwidthShare: 0.7,
      measured: false,
    });
    expect(decodeConstants('discrete-gpu').measured).toBe(true);
    expect(decodeConstants('discrete-gpu').bandwidthShare).toBe(1);
  });
});
