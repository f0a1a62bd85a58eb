import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { catalogueSpec, findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { countParams } from '../../../lib/capacity/params.ts';
import type { ModelSpec } from '../../../lib/capacity/spec.ts';
import { asMtp, linearTensors } from '../../../lib/capacity/tensors.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtureDir = resolve(repoRoot, '../shared/fixtures/configs');

/** Model types whose parsers this suite covers (other families have their own tests). */
const COVERED_TYPES = new Set([
  'llama',
  'mistral',
  'mixtral',
  'qwen2',
  'qwen3',
  'qwen3_moe',
  'qwen3_vl',
  'falcon',
  'gpt2',
  'gpt_oss',
]);

interface Truth {
  model_type: string;
  params_total?: number;
  params_total_exact?: boolean;
  params_active_published?: number;
  params_total_computed?: number;
  params_active_computed_incl_embeddings?: number;
  kv_bytes_per_token_f16?: number;
}

function fixtureCases(): [string, Truth][] {
  if (!existsSync(fixtureDir)) return [];
  const truth = JSON.parse(readFileSync(resolve(fixtureDir, 'TRUTH.json'), 'utf8')) as Record<
    string,
    Truth
  >;
  return readdirSync(fixtureDir)
    .filter((file) => file in truth && COVERED_TYPES.has(truth[file]?.model_type ?? ''))
    .map((file) => [file, truth[file] as Truth]);
}

function fixtureSpec(file: string): ModelSpec {
  return parseHfConfig(readFileSync(resolve(fixtureDir, file), 'utf8'));
}

/** The last non-zero digit's place of a rounded figure (30.5e9 -> 1e8). */
function roundingUnit(value: number): number {
  let unit = 1;
  while (value % (unit * 10) === 0) unit *= 10;
  return unit;
}

function expectWithinRounding(actual: number, published: number): void {
  const unit = roundingUnit(published);
  expect(actual).toBeGreaterThanOrEqual(published - unit / 2);
  expect(actual).toBeLessThan(published + unit);
}

const count = (id: string) => countParams(catalogueSpec(id));

describe('countParams on published models', () => {
  it('counts Llama-3.1-70B exactly', () => {
    // 2 x 128256 x 8192 (embedding, head) + 80 x (attention 2 x 8192^2 + 2 x 1024 x 8192
    // + MLP 3 x 8192 x 28672 + 2 norms x 8192) + 8192
    const perLayer = 2 * 8192 ** 2 + 2 * 1024 * 8192 + 3 * 8192 * 28672 + 2 * 8192;
    expect(count('llama-3.1-70b').total).toBe(2 * 128256 * 8192 + 80 * perLayer + 8192);
    expect(count('llama-3.1-70b').total).toBe(70_553_706_496);
  });

  it('counts all Mixtral-8x7B experts in total and two per token in active', () => {
    const params = count('mixtral-8x7b');
    const experts = 32 * 8 * 3 * 4096 * 14336; // layers x experts x w1/w2/w3 x hidden x inter
    expect(params.total).toBe(46_702_792_704);
    expect(params.active).toBe(12_879_925_248);
    expect(params.total - params.active).toBe((experts * 6) / 8); // 6 of 8 experts idle
  });

  it('counts Qwen3-30B-A3B: 30.5B total, 3.35B per token', () => {
    const params = count('qwen3-30b-a3b');
    expect(params.total).toBe(30_532_122_624);
    expect(params.active).toBe(3_353_032_704);
    expect(params.byGroup.experts).toBe(48 * 128 * 3 * 2048 * 768); // layers x experts x 3 x h x i
  });

  it('counts a tied embedding once (Falcon-7B)', () => {
    const tied = count('falcon-7b');
    const untied = countParams(
      parseHfConfig({ ...findCatalogueModel('falcon-7b').config, tie_word_embeddings: false }),
    );
    expect(tied.total).toBe(6_921_720_704);
    expect(untied.total).toBe(7_217_189_760);
    expect(untied.total - tied.total).toBe(65024 * 4544); // vocab x hidden
  });

  it.each([
    ['phi-3-mini', 3_821_079_552],
    ['gemma-2-9b', 9_241_705_984],
    ['llama-3.1-8b', 8_030_261_248],
    ['qwen2.5-7b', 7_615_616_512],
    ['qwen3-8b', 8_190_735_360],
    ['gpt2', 124_439_808],
    ['phi-2', 2_779_683_840],
    ['gpt-oss-20b', 20_914_757_184],
  ] as const)('counts %s exactly', (id, total) => {
    expect(count(id).total).toBe(total);
  });

  it('gives gpt-oss-20b 3.61B active parameters without the input embedding', () => {
    const params = count('gpt-oss-20b');
    expect(params.active).toBe(4_187_440_704);
    expect(params.activeExcludingEmbeddings).toBe(4_187_440_704 - 201088 * 2880); // - vocab x h
    expectWithinRounding(params.activeExcludingEmbeddings, 3_610_000_000);
  });

  it('keeps a tied matrix in activeExcludingEmbeddings, as it is the output projection', () => {
    const params = count('llama-3.2-1b');
    expect(params.activeExcludingEmbeddings).toBe(params.active);
  });

  it('drops learned positions from activeExcludingEmbeddings (GPT-2)', () => {
    const params = count('gpt2');
    expect(params.active - params.activeExcludingEmbeddings).toBe(1024 * 768); // n_positions x h
  });

  it('counts the Qwen3-VL vision tower in total but not per token', () => {
    const params = count('qwen3-vl-8b');
    expect(params.total).toBe(8_767_123_696);
    expect(params.byGroup.vision).toBe(576_388_336);
    expect(params.active).toBe(8_767_123_696 - 576_388_336);
  });

  it('counts the Gemma-3-27B SigLIP tower: 27.4B in all', () => {
    const params = count('gemma-3-27b');
    expect(params.byGroup.vision).toBe(423_060_336);
    expect(params.total).toBe(27_432_406_640);
  });

  it('sets resident equal to total', () => {
    const params = count('mixtral-8x7b');
    expect(params.resident).toBe(params.total);
  });
});

describe('countParams rules', () => {
  const base = catalogueSpec('gpt2');
  const mtpLayer = asMtp(
    linearTensors({
      name: 'model.mtp.0.proj',
      outFeatures: 768,
      inFeatures: 2 * 768,
      bias: false,
      group: 'mlp',
      role: 'other',
      layer: 12,
    }),
  );
  const withMtp: ModelSpec = { ...base, mtpLayers: 1, tensors: [...base.tensors, ...mtpLayer] };

  it('leaves MTP layers out of total and active and reports them apart', () => {
    const plain = countParams(base);
    const params = countParams(withMtp);
    expect(params.total).toBe(plain.total);
    expect(params.active).toBe(plain.active);
    expect(params.mtp).toBe(768 * 2 * 768);
    expect(params.byGroup.mtp).toBe(768 * 2 * 768);
  });

  it('splits every tensor into exactly one group', () => {
    const params = countParams(withMtp);
    const groupSum = Object.values(params.byGroup).reduce((sum, value) => sum + value, 0);
    expect(groupSum).toBe(params.total + params.mtp);
  });
});

// The shared fixtures live beside the repository; without them the catalogue tests above cover
// the same models from in-repo configs.
const describeShared = existsSync(fixtureDir) ? describe : () => undefined;

describeShared('shared fixtures (../shared/fixtures/configs)', () => {
  const cases = fixtureCases();

  it.each(cases.filter(([, truth]) => truth.params_total_exact === true))(
    '%s: total equals the exact published count',
    (file, truth) => {
      expect(countParams(fixtureSpec(file)).total).toBe(truth.params_total);
    },
  );

  it.each(cases.filter(([, truth]) => truth.params_total_exact === false))(
    '%s: total lies within the rounding of the published figure',
    (file, truth) => {
      expectWithinRounding(countParams(fixtureSpec(file)).total, truth.params_total ?? 0);
    },
  );

  it.each(cases.filter(([, truth]) => truth.params_total_computed !== undefined))(
    '%s: total equals the independent tensor count',
    (file, truth) => {
      expect(countParams(fixtureSpec(file)).total).toBe(truth.params_total_computed);
    },
  );

  it.each(cases.filter(([, truth]) => truth.params_active_computed_incl_embeddings !== undefined))(
    '%s: active equals the independent count',
    (file, truth) => {
      expect(countParams(fixtureSpec(file)).active).toBe(
        truth.params_active_computed_incl_embeddings,
      );
    },
  );

  it.each(cases.filter(([, truth]) => truth.kv_bytes_per_token_f16 !== undefined))(
    '%s: K and V heads give the per-token f16 cache size',
    (file, truth) => {
      const spec = fixtureSpec(file);
      const bytes = spec.layers.reduce((sum, layer) => {
        if (layer.mixer.kind !== 'attention') return sum;
        const { kvHeads, headDimK, headDimV } = layer.mixer;
        return sum + kvHeads * (headDimK + headDimV) * 2; // f16
      }, 0);
      expect(bytes).toBe(truth.kv_bytes_per_token_f16);
    },
  );

  it.each(cases.filter(([file]) => file === 'openai__gpt-oss-20b.json'))(
    '%s: active without the input embedding matches the card',
    (file, truth) => {
      const params = countParams(fixtureSpec(file));
      expectWithinRounding(params.activeExcludingEmbeddings, truth.params_active_published ?? 0);
    },
  );
});
