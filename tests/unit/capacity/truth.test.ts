// Every shared real config against TRUTH.json, through the public planner: parameter counts
// and the KV bytes per token that `hwledger plan --json` reports.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import { SHARED_CONFIGS } from '../../support/shared-fixtures.ts';
import type { TruthEntry } from '../../support/shared-fixtures.ts';

function truthCases(): [string, TruthEntry][] {
  const truth = JSON.parse(readFileSync(resolve(SHARED_CONFIGS, 'TRUTH.json'), 'utf8')) as Record<
    string,
    TruthEntry
  >;
  return readdirSync(SHARED_CONFIGS)
    .filter((file) => file in truth)
    .map((file) => [file, truth[file] as TruthEntry]);
}

function planOf(file: string) {
  const model = parseHfConfig(readFileSync(resolve(SHARED_CONFIGS, file), 'utf8'), { name: file });
  return plan({ model, weights: 'bf16', kv: 'f16', engine: 'vllm', contextTokens: 4096 });
}

/** The rounding step of a published figure: 30.5e9 -> 1e8, 671e9 -> 1e9. */
function roundingUnit(value: number): number {
  let unit = 1;
  while (value % (unit * 10) === 0) unit *= 10;
  return unit;
}

const describeShared = existsSync(resolve(SHARED_CONFIGS, 'TRUTH.json')) ? describe : () => {};

describeShared('TRUTH.json through plan()', () => {
  const cases = truthCases();

  it('covers every config in the folder', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
  });

  it.each(cases)('%s: total parameters match the published count', (file, truth) => {
    const total = planOf(file).params.total;
    if (truth.params_total_computed !== undefined) expect(total).toBe(truth.params_total_computed);
    if (truth.params_total === undefined) return;
    if (truth.params_total_exact) expect(total).toBe(truth.params_total);
    else
      expect(Math.abs(total - truth.params_total)).toBeLessThan(roundingUnit(truth.params_total));
  });

  it.each(cases.filter(([, truth]) => truth.params_active_computed_incl_embeddings !== undefined))(
    '%s: active parameters match the independent count',
    (file, truth) => {
      expect(planOf(file).params.active).toBe(truth.params_active_computed_incl_embeddings);
    },
  );

  it.each(cases.filter(([, truth]) => truth.kv_bytes_per_token_f16 !== undefined))(
    '%s: kv.bytesPerToken matches at f16',
    (file, truth) => {
      expect(planOf(file).kv.bytesPerToken).toBe(truth.kv_bytes_per_token_f16);
    },
  );
});

describe('kv.bytesPerToken of catalogue models (capacity.md section 5, f16)', () => {
  it.each([
    ['meta-llama/Llama-3.1-8B', 32 * 2 * 8 * 128 * 2], // 131,072
    ['meta-llama/Llama-3.1-70B', 80 * 2 * 8 * 128 * 2], // 327,680
    ['Qwen/Qwen2.5-7B', 28 * 2 * 4 * 128 * 2], // 57,344
    ['Qwen/Qwen3-30B-A3B', 48 * 2 * 4 * 128 * 2], // 98,304
    ['tiiuae/falcon-7b', 32 * 2 * 1 * 64 * 2], // 8,192 (MQA)
    ['deepseek-ai/DeepSeek-V3', 61 * (512 + 64) * 2], // 70,272 (MLA latent + rope key)
    ['deepseek-ai/DeepSeek-V2-Lite', 27 * (512 + 64) * 2], // 31,104
    ['ai21labs/Jamba-v0.1', 4 * 2 * 8 * 128 * 2], // 16,384 (4 attention layers)
    ['state-spaces/mamba-2.8b-hf', 0], // SSM only: fixed state, no per-token cache
    ['openai/gpt-oss-20b', 24 * 2 * 8 * 64 * 2], // 49,152 while within the 128-token window
  ])('%s: %i bytes', (id, bytes) => {
    const model = catalogueSpec(id);
    expect(plan({ model, weights: 'bf16', engine: 'vllm' }).kv.bytesPerToken).toBe(bytes);
  });
});
