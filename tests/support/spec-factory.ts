// Builds small hand-written ModelSpecs for tests that exercise one mechanism at a time.

import type { AttentionMixer, LayerSpec, Mixer, ModelSpec } from '../../lib/capacity/spec.ts';

/** A full or sliding attention mixer with the given shape. */
export function attention(
  kvHeads: number,
  headDim: number,
  options: { heads?: number; window?: number | null; sinkTokens?: number } = {},
): AttentionMixer {
  return {
    kind: 'attention',
    heads: options.heads ?? kvHeads,
    kvHeads,
    headDimK: headDim,
    headDimV: headDim,
    window: options.window ?? null,
    sinkTokens: options.sinkTokens ?? 0,
    learnedSinks: false,
  };
}

/** A spec whose layers carry the given mixers and dense MLPs, and no tensors. */
export function specWithMixers(mixers: Mixer[], overrides: Partial<ModelSpec> = {}): ModelSpec {
  const layers: LayerSpec[] = mixers.map((mixer, index) => ({ index, mixer, ffn: 'dense' }));
  return {
    name: 'test-model',
    modelType: 'test',
    source: 'hf-config',
    hiddenSize: 4096,
    vocabSize: 32000,
    layers,
    mtpLayers: 0,
    tensors: [],
    tiedEmbeddings: false,
    maxPositionTokens: null,
    causal: true,
    moe: null,
    checkpoint: { dtype: 'bf16', quantization: null },
    warnings: [],
    ...overrides,
  };
}

/** `count` copies of one mixer. */
export function repeat(count: number, mixer: Mixer): Mixer[] {
  return Array.from({ length: count }, () => mixer);
}
