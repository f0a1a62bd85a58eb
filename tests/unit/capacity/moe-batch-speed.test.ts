import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { weightReads } from '../../../lib/capacity/moe-reads.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import type { PlanRequest } from '../../../lib/capacity/plan.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import {
  decodeConstants,
  expectedDistinctExperts,
  weightBytesPerStep,
} from '../../../lib/capacity/throughput.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';

const qwen3Moe = catalogueSpec('qwen3-30b-a3b');
/** One Qwen3-30B-A3B expert in one layer: gate, up and down of 2048 x 768, bf16. */
const QWEN3_EXPERT_LAYER_BYTES = 3 * 2048 * 768 * 2; // 9,437,184
const QWEN3_MOE_LAYERS = 48;
/** vLLM f16 KV per token: 48 layers x 4 KV heads x 128 x (K + V) x 2 bytes = 98,304. */
const QWEN3_KV_ROW = 48 * 4 * 128 * 2 * 2;

function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

function qwenPlan(batch: number, extra: Partial<PlanRequest> = {}) {
  return plan({
    model: qwen3Moe,
    weights: 'bf16',
    contextTokens: 2048,
    batch,
    engine: 'vllm',
    devices: ['h100-sxm'],
    ...extra,
  });
}

describe('expected distinct experts', () => {
  it('reads 128 x (1 - (120/128)^32) = 111.8 of 128 experts at batch 32 (top-8)', () => {
    expect(expectedDistinctExperts(128, 8, 32)).toBeCloseTo(128 * (1 - (120 / 128) ** 32), 9);
    expect(expectedDistinctExperts(128, 8, 32)).toBeCloseTo(111.77, 2);
  });

  it('reads 128 x (1 - (120/128)^8) = 51.6 experts at batch 8', () => {
    expect(expectedDistinctExperts(128, 8, 8)).toBeCloseTo(51.62, 2);
  });

  it('reads exactly the top-k at batch 1, and every expert when all are active', () => {
    expect(expectedDistinctExperts(128, 8, 1)).toBe(8);
    expect(expectedDistinctExperts(8, 8, 64)).toBe(8);
    expect(expectedDistinctExperts(8, 0, 64)).toBe(0);
  });

  it('grows with the batch, never past the expert count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 4096 }),
        (experts, top, batch) => {
          const perToken = Math.min(top, experts);
          const now = expectedDistinctExperts(experts, perToken, batch);
          const next = expectedDistinctExperts(experts, perToken, batch + 1);
          expect(now).toBeGreaterThanOrEqual(perToken - 1e-9);
          expect(next).toBeGreaterThanOrEqual(now - 1e-9);
          expect(next).toBeLessThanOrEqual(experts + 1e-9);
        },
      ),
    );
  });

  it('names the field of a top-k above the expert count or a zero batch', () => {
    expect(capacityError(() => expectedDistinctExperts(8, 9, 1)).field).toBe('perToken');
    expect(capacityError(() => expectedDistinctExperts(8, 2, 0)).field).toBe('tokens');
    expect(capacityError(() => expectedDistinctExperts(0, 0, 1)).field).toBe('experts');
  });
});

describe('weight bytes per decode step', () => {
  it('groups Qwen3-30B-A3B experts: 128 of them, top-8, 48 layers x 9,437,184 B each', () => {
    const weights = weightBytes(qwen3Moe, parseWeightScheme('bf16', 'weights'));
    const reads = weightReads(qwen3Moe, weights);
    expect(reads.bytesPerToken).toBe(weights.activeBytesPerToken);
    expect(reads.routed).toEqual([
      {
        experts: 128,
        perToken: 8,
        bytesPerExpert: QWEN3_MOE_LAYERS * QWEN3_EXPERT_LAYER_BYTES, // 452,984,832
      },
    ]);
  });

  it('adds 48 x 103.8 extra experts x 9.4 MB = 47.0 GB at batch 32', () => {
    const weights = weightBytes(qwen3Moe, parseWeightScheme('bf16', 'weights'));
    const reads = weightReads(qwen3Moe, weights);
    const extraExperts = 128 * (1 - (120 / 128) ** 32) - 8; // 103.77
    const extraBytes = QWEN3_MOE_LAYERS * QWEN3_EXPERT_LAYER_BYTES * extraExperts;
    expect(extraBytes / 1e9).toBeCloseTo(47.0, 1);
    expect(weightBytesPerStep(reads, 32)).toBeCloseTo(weights.activeBytesPerToken + extraBytes, 0);
    expect(weightBytesPerStep(reads, 1)).toBe(weights.activeBytesPerToken);
  });

  it('reads a dense model the same at any batch', () => {
    const llama = catalogueSpec('meta-llama/Llama-3.1-8B');
    const weights = weightBytes(llama, parseWeightScheme('bf16', 'weights'));
    const reads = weightReads(llama, weights);
    expect(reads.routed).toEqual([]);
    expect(weightBytesPerStep(reads, 256)).toBe(weights.activeBytesPerToken);
  });
});

describe('plan: batched MoE decode reads the union of routed experts', () => {
  it('keeps batch 1 at the top-k reads', () => {
    const weights = weightBytes(qwen3Moe, parseWeightScheme('bf16', 'weights'));
    const overhead = decodeConstants('datacenter-gpu').overheadSeconds;
    const step = (weights.activeBytesPerToken + QWEN3_KV_ROW * 2048) / 3350e9 + overhead;
    expect(qwenPlan(1).fit[0]!.speed.decodeTokensPerSecond).toBeCloseTo(1 / step, 6);
  });

  it('slows a batch-32 step by the extra experts and 31 more KV reads (~1,370 t/s total)', () => {
    const one = qwenPlan(1).fit[0]!.speed;
    const many = qwenPlan(32).fit[0]!.speed;
    const extraExperts = 128 * (1 - (120 / 128) ** 32) - 8;
    const extraBytes =
      QWEN3_MOE_LAYERS * QWEN3_EXPERT_LAYER_BYTES * extraExperts + 31 * QWEN3_KV_ROW * 2048;
    const stepDelta = 1 / many.decodeTokensPerSecond - 1 / one.decodeTokensPerSecond;
    expect(stepDelta).toBeCloseTo(extraBytes / 3350e9, 9);
    expect(many.decodeTokensPerSecond).toBeGreaterThan(40);
    expect(many.decodeTokensPerSecond).toBeLessThan(46);
    expect(many.decodeTokensPerSecondTotal).toBeGreaterThan(1300);
    expect(many.decodeTokensPerSecondTotal).toBeLessThan(1450);
  });

  it('prices a batch-32 MoE deployment from the slower total: $2/h at ~1,371 t/s = $0.41/M', () => {
    const fit = qwenPlan(32, { priceUsdPerGpuHour: 2 }).fit[0]!;
    const total = fit.speed.decodeTokensPerSecondTotal;
    expect(fit.cost?.perMillionTokensUsd).toBeCloseTo((2 / (total * 3600)) * 1e6, 9);
    expect(fit.cost?.perMillionTokensUsd).toBeGreaterThan(0.38);
    expect(fit.cost?.perMillionTokensUsd).toBeLessThan(0.43);
  });

  it('splits the union over tensor-parallel ranks (Mixtral 2 x H100, 8 experts top-2)', () => {
    const request: PlanRequest = {
      model: catalogueSpec('mixtral-8x7b'),
      weights: 'bf16',
      contextTokens: 2048,
      engine: 'vllm',
      devices: ['h100-sxm'],
      gpus: 2,
    };
    const one = plan({ ...request, batch: 1 }).fit[0]!.speed;
    const eight = plan({ ...request, batch: 8 }).fit[0]!.speed;
    // 8 x (1 - (6/8)^8) = 7.2 of 8 experts read per layer instead of 2.
    const extraExperts = 8 * (1 - 0.75 ** 8) - 2;
    const expertLayerBytes = 3 * 4096 * 14336 * 2; // gate, up, down at bf16: 352,321,536
    const kvRow = 32 * 8 * 128 * 2 * 2; // 131,072 B per token over both ranks
    const memoryDelta = (32 * expertLayerBytes * extraExperts + 7 * kvRow * 2048) / 2 / 3350e9;
    // 32 layers x 2 all-reduces, each 7 more sequences x 4096 x 2 B over 450 GB/s one way.
    const linkDelta = (64 * 7 * 4096 * 2) / 450e9;
    const stepDelta = 1 / eight.decodeTokensPerSecond - 1 / one.decodeTokensPerSecond;
    expect(stepDelta).toBeCloseTo(memoryDelta + linkDelta, 9);
    expect(memoryDelta * 1e3).toBeCloseTo(9.0, 1); // ms: 8.75 of experts, 0.28 of KV per rank
  });
});
