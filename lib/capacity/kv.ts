// KV cache and recurrent state per layer, by attention kind, before any engine's rounding.
//
// Each layer's mixer says how its per-sequence state grows: full attention (MHA, GQA, MQA) and
// MLA grow by one row per token; sliding-window layers stop growing at their window; recurrent
// layers (SSM, linear attention) hold a fixed state. Engine profiles add their own cell padding,
// block rounding and window slack on top of these rows.

import type { KvDtype } from './kv-dtype.ts';
import { kvBytesFor } from './kv-dtype.ts';
import type { ModelSpec } from './spec.ts';

/**
 * How an engine stores MLA's cache. `latent`: compressed latent plus rope key, no V (vLLM,
 * SGLang, llama.cpp after PR #19067). `latent_kv`: the latent again as V (llama.cpp PR #12801 up
 * to #19067). `decompressed`: per-head K and V (llama.cpp before PR #12801, and old GGUFs).
 * Source: capacity.md section 3.1.
 */
export type MlaCacheForm = 'latent' | 'latent_kv' | 'decompressed';

/** One layer's cache in elements per token (per sequence), or its fixed state. */
export interface LayerCache {
  layer: number;
  kind: 'full' | 'sliding' | 'mla' | 'recurrent' | 'none';
  kElementsPerToken: number;
  vElementsPerToken: number;
  /** Tokens a sliding layer keeps (null: grows with the context). */
  windowTokens: number | null;
  /** Extra tokens kept beyond the window (StreamingLLM sinks). */
  sinkTokens: number;
  /** KV heads, for engines that split or replicate heads across tensor-parallel ranks. */
  kvHeads: number;
  stateElements: number;
  convElements: number;
}

/** Lists every layer's cache shape, with MLA stored in the given engine form. */
export function layerCaches(spec: ModelSpec, mlaForm: MlaCacheForm = 'latent'): LayerCache[] {
  return spec.layers.map((layer): LayerCache => {
    const base = {
      layer: layer.index,
      kElementsPerToken: 0,
      vElementsPerToken: 0,
      windowTokens: null,
      sinkTokens: 0,
      kvHeads: 0,
      stateElements: 0,
      convElements: 0,
    };
    const mixer = layer.mixer;
    switch (mixer.kind) {
      case 'attention':
        return {
          ...base,
          kind: mixer.window === null ? 'full' : 'sliding',
          kElementsPerToken: mixer.kvHeads * mixer.headDimK,
          vElementsPerToken: mixer.kvHeads * mixer.headDimV,
          windowTokens: mixer.window,
          sinkTokens: mixer.sinkTokens,
          kvHeads: mixer.kvHeads,
        };
      case 'mla':
        return { ...base, kind: 'mla', kvHeads: 1, ...mlaElements(mixer, mlaForm) };
      case 'recurrent':
        return {
          ...base,
          kind: 'recurrent',
          stateElements: mixer.stateElements,
          convElements: mixer.convElements,
        };
      case 'none':
        return { ...base, kind: 'none' };
    }
  });
}

function mlaElements(
  mixer: Extract<ModelSpec['layers'][number]['mixer'], { kind: 'mla' }>,
  form: MlaCacheForm,
): { kElementsPerToken: number; vElementsPerToken: number } {
  const latentK = mixer.kvLoraRank + mixer.qkRopeHeadDim;
  switch (form) {
    case 'latent':
      return { kElementsPerToken: latentK, vElementsPerToken: 0 };
    case 'latent_kv':
      return { kElementsPerToken: latentK, vElementsPerToken: mixer.kvLoraRank };
    case 'decompressed':
      return {
        kElementsPerToken: mixer.heads * (mixer.qkNopeHeadDim + mixer.qkRopeHeadDim),
        vElementsPerToken: mixer.heads * mixer.vHeadDim,
      };
  }
}

/** Layers of one sliding window length, merged: their row bytes add up. */
export interface SlidingGroup {
  windowTokens: number;
  sinkTokens: number;
  rowBytes: number;
  layers: number;
}

/**
 * A model's cache at chosen element types, reduced to a few sums so that a plan can be
 * evaluated in constant time: bytes per token of the layers that grow without bound, the same
 * per window length for sliding layers, and the fixed bytes per sequence of recurrent layers.
 */
export interface KvProfile {
  /** Bytes per token per sequence over full-attention and MLA layers. */
  unboundedRowBytes: number;
  slidingGroups: SlidingGroup[];
  /** Bytes of recurrent state (SSM, conv, delta-rule) per sequence, independent of context. */
  recurrentBytesPerSequence: number;
  unboundedLayers: number;
  recurrentLayers: number;
}

/** Element types of each part of the cache; recurrent state is often kept wider than KV. */
export interface KvDtypes {
  k: KvDtype;
  v: KvDtype;
  recurrent: KvDtype;
}

/** Reduces per-layer caches to a `KvProfile` at the given element types. */
export function kvProfile(caches: readonly LayerCache[], dtypes: KvDtypes): KvProfile {
  let unboundedRowBytes = 0;
  let unboundedLayers = 0;
  let recurrentBytesPerSequence = 0;
  let recurrentLayers = 0;
  const groups = new Map<string, SlidingGroup>();

  for (const cache of caches) {
    const rowBytes =
      kvBytesFor(cache.kElementsPerToken, dtypes.k) + kvBytesFor(cache.vElementsPerToken, dtypes.v);

    if (cache.kind === 'full' || cache.kind === 'mla') {
      unboundedRowBytes += rowBytes;
      unboundedLayers += 1;
    } else if (cache.kind === 'sliding' && cache.windowTokens !== null) {
      const key = `${cache.windowTokens}:${cache.sinkTokens}`;
      const group = groups.get(key) ?? {
        windowTokens: cache.windowTokens,
        sinkTokens: cache.sinkTokens,
        rowBytes: 0,
        layers: 0,
      };
      group.rowBytes += rowBytes;
      group.layers += 1;
      groups.set(key, group);
    } else if (cache.kind === 'recurrent') {
      recurrentBytesPerSequence +=
        kvBytesFor(cache.stateElements, dtypes.recurrent) +
        kvBytesFor(cache.convElements, dtypes.recurrent);
      recurrentLayers += 1;
    }
  }

  const slidingGroups = [...groups.values()].sort((a, b) => a.windowTokens - b.windowTokens);
  return {
    unboundedRowBytes,
    slidingGroups,
    recurrentBytesPerSequence,
    unboundedLayers,
    recurrentLayers,
  };
}

/**
 * KV bytes one more token costs one sequence while the context is within every window: the
 * sum of K and V rows over all attention and MLA layers (the usual "KV bytes per token").
 */
export function kvBytesPerToken(profile: KvProfile): number {
  let bytes = profile.unboundedRowBytes;
  for (const group of profile.slidingGroups) bytes += group.rowBytes;
  return bytes;
}

/** KV bytes one more token costs once the context is past every sliding window. */
export function kvGrowthBytesPerToken(profile: KvProfile): number {
  return profile.unboundedRowBytes;
}

/**
 * Cache bytes of `sequences` sequences of `contextTokens` each, with sliding layers holding
 * min(context, window + sinks) tokens and recurrent state once per sequence. This is the
 * engine-neutral minimum; engine profiles add their padding and slack.
 */
export function kvBytesAt(profile: KvProfile, contextTokens: number, sequences: number): number {
  let perSequence = profile.unboundedRowBytes * contextTokens;
  for (const group of profile.slidingGroups) {
    perSequence += group.rowBytes * Math.min(contextTokens, group.windowTokens + group.sinkTokens);
  }
  perSequence += profile.recurrentBytesPerSequence;
  return perSequence * sequences;
}

/**
 * One tensor-parallel rank's share of each layer's cache. Attention heads are split across
 * ranks; when there are fewer KV heads than ranks each rank keeps one replicated head (vLLM's
 * rule). MLA's latent is one shared head and is replicated on every rank (capacity.md 3.1:
 * "not split by TP"); recurrent state is split by channels like the heads.
 */
export function splitCachesAcrossRanks(caches: readonly LayerCache[], ranks: number): LayerCache[] {
  if (ranks === 1) return [...caches];
  return caches.map((cache) => {
    if (cache.kind === 'full' || cache.kind === 'sliding') {
      const headsPerRank = Math.max(1, Math.ceil(cache.kvHeads / ranks));
      const share = headsPerRank / cache.kvHeads;
      return {
        ...cache,
        kvHeads: headsPerRank,
        kElementsPerToken: cache.kElementsPerToken * share,
        vElementsPerToken: cache.vElementsPerToken * share,
      };
    }
    if (cache.kind === 'recurrent') {
      return {
        ...cache,
        stateElements: Math.ceil(cache.stateElements / ranks),
        convElements: Math.ceil(cache.convElements / ranks),
      };
    }
    return cache;
  });
}
