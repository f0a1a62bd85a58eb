// What a model's decode step reads of its weights, with routed experts grouped for batching.

import type { ModelSpec } from './spec.ts';
import type { RoutedExpertReads, WeightReads } from './throughput.ts';
import type { WeightBytes } from './weights.ts';

const cached = new WeakMap<WeightBytes, WeightReads>();

/**
 * The weight reads of `spec` stored as `weights`: the single-token bytes
 * (`activeBytesPerToken`) and every routed-expert tensor (more copies than are active, at
 * least one active, not a multi-token-prediction layer) summed per expert count and top-k, so
 * that `weightBytesPerStep` can grow the expert reads with the batch. Shared experts (one
 * copy, always active) stay in the fixed bytes. Cached per weights object.
 */
export function weightReads(spec: ModelSpec, weights: WeightBytes): WeightReads {
  const known = cached.get(weights);
  if (known) return known;

  const groups = new Map<string, RoutedExpertReads>();
  const layerCount = spec.layers.length;
  spec.tensors.forEach((tensor, index) => {
    const priced = weights.tensors[index];
    const mtp = tensor.group === 'mtp' || (tensor.layer !== null && tensor.layer >= layerCount);
    const routed = tensor.activeCopies > 0 && tensor.activeCopies < tensor.copies;
    if (!priced || priced.name !== tensor.name || mtp || !routed) return;

    const key = `${tensor.copies}/${tensor.activeCopies}`;
    const group = groups.get(key) ?? {
      experts: tensor.copies,
      perToken: tensor.activeCopies,
      bytesPerExpert: 0,
    };
    group.bytesPerExpert += priced.bytes / tensor.copies;
    groups.set(key, group);
  });

  const reads: WeightReads = {
    bytesPerToken: weights.activeBytesPerToken,
    routed: [...groups.values()],
  };
  cached.set(weights, reads);
  return reads;
}
