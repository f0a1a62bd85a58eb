// Pipeline parallelism: contiguous layer stages, one per device, balanced by bytes.
//
// Engines let the stage boundaries be set (llama.cpp `--tensor-split`, vLLM
// `VLLM_PP_LAYER_PARTITION`), so the planner picks the contiguous split whose busiest device
// holds the fewest bytes of weights and cache at the planned context. Adding a device can then
// never raise the busiest device's memory: any split into k stages is also available with k + 1.

import type { LayerCache } from './kv.ts';
import type { DeviceMemory, PreparedEngine } from './profiles/types.ts';

/** More halvings than any range of doubles needs; guards against a search that cannot step. */
const MAX_SEARCH_STEPS = 128;

/** Weight bytes per pipeline item: one per layer, embedding and head folded into the ends. */
export interface StageItems {
  /** Bytes of each layer on its device, with the first and last layers carrying the ends. */
  weightsBytes: number[];
  caches: readonly LayerCache[];
}

/**
 * Smallest achievable maximum of contiguous sums when `costs` are split into at most `parts`
 * runs (the linear partition problem), by binary search on the answer with a greedy check.
 * Also returns the run that reaches it, as [first, end).
 */
export function minMaxPartition(costs: readonly number[], parts: number): [number, number, number] {
  let lo = 0;
  let hi = 0;
  for (const cost of costs) {
    lo = Math.max(lo, cost);
    hi += cost;
  }
  const runsWithin = (limit: number): number => {
    let runs = 1;
    let sum = 0;
    for (const cost of costs) {
      if (sum + cost > limit) {
        runs += 1;
        sum = 0;
      }
      sum += cost;
    }
    return runs;
  };
  // `hi` always splits into few enough runs. Past 2^53 bytes doubles cannot step by one, so
  // the search also stops after enough halvings to have converged on any exact integer range.
  for (let step = 0; step < MAX_SEARCH_STEPS && lo < hi; step += 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (runsWithin(mid) <= parts) hi = mid;
    else lo = mid + 1;
  }
  return heaviestRun(costs, hi);
}

function heaviestRun(costs: readonly number[], limit: number): [number, number, number] {
  let best: [number, number, number] = [0, 0, 0];
  let start = 0;
  let sum = 0;
  costs.forEach((cost, index) => {
    if (sum + cost > limit) {
      if (sum > best[0]) best = [sum, start, index];
      start = index;
      sum = 0;
    }
    sum += cost;
  });
  if (sum > best[0]) best = [sum, start, costs.length];
  return best;
}

/** A layer's cache bytes at `contextTokens` before any engine rounding, for sharing out. */
function layerCacheWeight(cache: LayerCache, contextTokens: number): number {
  const row = cache.kElementsPerToken + cache.vElementsPerToken;
  const held =
    cache.windowTokens === null
      ? contextTokens
      : Math.min(contextTokens, cache.windowTokens + cache.sinkTokens);
  return row * held + cache.stateElements + cache.convElements;
}

/**
 * Wraps an engine prepared for the whole model with no weights (`whole`) into the busiest
 * stage of the best split over `stages` devices: the engine's cache is shared out over layers
 * in proportion to each layer's cache size at the context; fixed parts (compute, runtime) are
 * paid once per device.
 */
export function pipelineEngine(
  whole: PreparedEngine,
  items: StageItems,
  stages: number,
): PreparedEngine {
  const layers = items.weightsBytes.length;
  const costs = new Array<number>(layers).fill(0);
  const shares = new Array<number>(layers).fill(0);
  const cacheParts = new Array<number>(layers).fill(0);

  return {
    notes: whole.notes,
    budgetBytes: whole.budgetBytes,
    memoryAt(contextTokens: number, sequences: number): DeviceMemory {
      const memory = whole.memoryAt(contextTokens, sequences);
      const cacheBytes = memory.kvBytes + memory.recurrentBytes;
      let weightSum = 0;
      for (let layer = 0; layer < layers; layer += 1) {
        const cache = items.caches[layer];
        shares[layer] = cache ? layerCacheWeight(cache, contextTokens) : 0;
        weightSum += shares[layer] ?? 0;
      }
      for (let layer = 0; layer < layers; layer += 1) {
        const share = weightSum === 0 ? 0 : (shares[layer] ?? 0) / weightSum;
        cacheParts[layer] = Math.ceil(cacheBytes * share);
        costs[layer] = (items.weightsBytes[layer] ?? 0) + (cacheParts[layer] ?? 0);
      }

      const [, first, end] = minMaxPartition(costs, stages);
      let weightsBytes = 0;
      let stageCache = 0;
      for (let layer = first; layer < end; layer += 1) {
        weightsBytes += items.weightsBytes[layer] ?? 0;
        stageCache += cacheParts[layer] ?? 0;
      }
      const kvShare = cacheBytes === 0 ? 0 : memory.kvBytes / cacheBytes;
      return {
        ...memory,
        weightsBytes,
        kvBytes: Math.round(stageCache * kvShare),
        recurrentBytes: stageCache - Math.round(stageCache * kvShare),
      };
    },
  };
}
