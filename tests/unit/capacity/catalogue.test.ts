import { describe, expect, it } from 'vitest';

import {
  MODEL_CATALOGUE,
  catalogueSpec,
  findCatalogueModel,
  publishedBounds,
} from '../../../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { countParams } from '../../../lib/capacity/params.ts';

const REQUIRED_IDS = [
  'meta-llama/Llama-3.1-8B',
  'meta-llama/Llama-3.1-70B',
  'meta-llama/Llama-3.1-405B',
  'meta-llama/Llama-3.2-1B',
  'meta-llama/Llama-3.2-3B',
  'mistralai/Mistral-7B-v0.1',
  'mistralai/Mixtral-8x7B-v0.1',
  'Qwen/Qwen2.5-7B',
  'Qwen/Qwen2.5-72B',
  'Qwen/Qwen3-8B',
  'Qwen/Qwen3-30B-A3B',
  'Qwen/Qwen3-235B-A22B',
  'google/gemma-2-9b',
  'google/gemma-3-27b-it',
  'microsoft/Phi-3-mini-4k-instruct',
  'openai/gpt-oss-20b',
  'openai/gpt-oss-120b',
  'tiiuae/falcon-7b',
  'openai-community/gpt2',
];

describe('MODEL_CATALOGUE', () => {
  it('holds at least 20 models, including the popular ones', () => {
    expect(MODEL_CATALOGUE.length).toBeGreaterThanOrEqual(20);
    const ids = MODEL_CATALOGUE.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(REQUIRED_IDS));
  });

  it('gives every id and alias to one model only', () => {
    const names = MODEL_CATALOGUE.flatMap((model) => [model.id, ...model.aliases]).map((name) =>
      name.toLowerCase(),
    );
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(MODEL_CATALOGUE.map((model) => [model.id, model] as const))(
    '%s: total lies within its published figure',
    (id, model) => {
      const params = countParams(catalogueSpec(id));
      const { low, high } = publishedBounds(model.published.total);
      expect(params.total).toBeGreaterThanOrEqual(low);
      expect(params.total).toBeLessThanOrEqual(high);
    },
  );

  it.each(
    MODEL_CATALOGUE.filter((model) => model.published.active !== undefined).map(
      (model) => [model.id, model] as const,
    ),
  )('%s: active lies within its published figure', (id, model) => {
    const params = countParams(catalogueSpec(id));
    const active = model.published.activeIncludesEmbedding
      ? params.active
      : params.activeExcludingEmbeddings;
    const { low, high } = publishedBounds(model.published.active ?? 0);
    expect(active).toBeGreaterThanOrEqual(low);
    expect(active).toBeLessThanOrEqual(high);
  });

  it.each([
    ['qwen3-235b-a22b', 235_093_634_560, 22_190_763_520],
    ['mixtral-8x22b', 140_620_634_112, 39_152_031_744],
    ['gpt-oss-120b', 116_829_156_672, 5_711_982_912],
    ['qwen1.5-moe', 14_315_784_192, 2_689_173_504],
  ] as const)('counts %s exactly: total and active', (id, total, active) => {
    const params = countParams(catalogueSpec(id));
    expect(params.total).toBe(total);
    expect(params.active).toBe(active);
  });
});

describe('findCatalogueModel', () => {
  it.each([
    ['meta-llama/Llama-3.1-8B', 'meta-llama/Llama-3.1-8B'],
    ['META-LLAMA/llama-3.1-8b', 'meta-llama/Llama-3.1-8B'],
    ['llama-3.1-8b', 'meta-llama/Llama-3.1-8B'],
    [' Gemma-3-27B ', 'google/gemma-3-27b-it'],
    ['gpt-oss:20b', 'openai/gpt-oss-20b'],
  ])('finds %s', (name, id) => {
    expect(findCatalogueModel(name).id).toBe(id);
  });

  it('rejects an unknown name with close suggestions', () => {
    try {
      findCatalogueModel('lama-3.1-8b');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      const capacityError = error as CapacityError;
      expect(capacityError.code).toBe('unknown_model');
      expect(capacityError.expected).toContain('meta-llama/Llama-3.1-8B');
    }
  });
});

describe('catalogueSpec', () => {
  it('names the spec by hub id and marks its source', () => {
    const spec = catalogueSpec('qwen3-8b');
    expect(spec.name).toBe('Qwen/Qwen3-8B');
    expect(spec.source).toBe('catalogue');
  });
});

describe('publishedBounds', () => {
  it.each([
    ['46.7B', 46.65e9, 46.8e9],
    ['124M', 123.5e6, 125e6],
    ['7B', 6.5e9, 8e9],
  ] as const)('lets %s cover rounding and truncation', (figure, low, high) => {
    const bounds = publishedBounds(figure);
    expect(bounds.low).toBeCloseTo(low, -1);
    expect(bounds.high).toBeCloseTo(high, -1);
  });

  it('keeps an exact count exact', () => {
    expect(publishedBounds(8_030_261_248)).toEqual({ low: 8_030_261_248, high: 8_030_261_248 });
  });
});
