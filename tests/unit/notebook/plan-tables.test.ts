// The plan cell's chart data: context sweep up to the model's limit, schemes the engine loads.
import { describe, expect, it } from 'vitest';
import { catalogueSpec, plan } from '../../../lib/capacity/index.ts';
import { defaultPlanInputs, type PlanInputs } from '../../../lib/notebook/model.ts';
import {
  comparedSchemes,
  contextSweep,
  maxContextTable,
  planRequest,
  sweepPoints,
} from '../../../workers/plan-tables.ts';

function inputs(patch: Partial<PlanInputs> = {}): PlanInputs {
  return { ...defaultPlanInputs(), ...patch };
}

describe('sweepPoints', () => {
  it('doubles from 1k to 128k when the model allows more', () => {
    const points = sweepPoints(8192, 131_072 * 4);
    expect(points).toEqual([1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072]);
  });

  it('reaches twice the plan context when that is above 128k', () => {
    expect(sweepPoints(200_000, null).at(-1)).toBe(400_000);
    expect(sweepPoints(200_000, null)).toContain(262_144);
  });

  it('stops at the model limit and ends on it', () => {
    const points = sweepPoints(8192, 32_768 + 768);
    expect(Math.max(...points)).toBe(33_536);
    expect(points).toEqual([1024, 2048, 4096, 8192, 16384, 32768, 33536]);
  });

  it('starts lower for a short-context model so the curve has at least four points', () => {
    expect(sweepPoints(512, 1024)).toEqual([128, 256, 512, 1024]);
  });

  it('keeps the plan context even above the model limit', () => {
    expect(sweepPoints(8192, 4096)).toEqual([512, 1024, 2048, 4096, 8192]);
  });
});

describe('contextSweep', () => {
  it('never passes the limit of a 4k-context model and reports the limit', () => {
    const spec = catalogueSpec('phi-3-mini-4k');
    const sweep = contextSweep(spec, inputs({ contextTokens: 2048 }));
    expect(sweep.modelLimitTokens).toBe(4096);
    expect(sweep.contextTokens).toEqual([512, 1024, 2048, 4096]);
    const want = plan(
      planRequest(spec, inputs({ contextTokens: 4096 }), { devices: ['rtx-4090'] }),
    );
    expect(sweep.perDeviceBytes.at(-1)).toBe(want.memory.perDeviceBytes);
  });

  it('grows or stays level as context grows (memory never falls with more context)', () => {
    const sweep = contextSweep(catalogueSpec('llama-3.1-8b'), inputs());
    const bytes = sweep.perDeviceBytes.map((b) => b ?? NaN);
    expect(bytes.every((b, i) => i === 0 || b >= (bytes[i - 1] ?? b))).toBe(true);
  });
});

describe('maxContextTable', () => {
  it.each([
    ['llama.cpp', 'Q4_K_M', ['Q4_K_M', 'bf16', 'Q8_0']],
    ['vllm', 'bf16', ['bf16', 'fp8', 'awq-4bit-g128']],
    ['transformers.js', 'f16', ['f16', 'int8', 'gptq-4bit-g32']],
  ] as const)('for %s with %s lists only schemes the engine loads', (engine, weights, want) => {
    const spec = catalogueSpec('llama-3.1-8b');
    expect(comparedSchemes(spec, inputs({ engine, weights }))).toEqual(want);
  });

  it('has no GGUF column and no n/a cell for vLLM', () => {
    const spec = catalogueSpec('llama-3.1-8b');
    const planInputs = inputs({ engine: 'vllm', weights: 'bf16', device: 'h100-sxm' });
    const result = plan(planRequest(spec, planInputs));
    const table = maxContextTable(spec, planInputs, result);
    expect(table.schemes.some((s) => /^Q\d|^IQ/.test(s))).toBe(false);
    const entries = table.rows.flatMap((row) => row.entries);
    expect(entries.filter((e) => e.tokens === null && e.reason === 'unsupported')).toEqual([]);
  });

  it('holds the largest context the plan itself computes for its own scheme', () => {
    const spec = catalogueSpec('llama-3.1-8b');
    const planInputs = inputs({ compareDevices: ['rtx-3090'] });
    const result = plan(planRequest(spec, planInputs));
    const table = maxContextTable(spec, planInputs, result);
    expect(table.rows.map((row) => row.deviceId)).toEqual(['rtx-4090', 'rtx-3090']);
    expect(table.rows[0]?.entries[0]).toEqual(result.fit[0]?.maxContext);
  });
});
