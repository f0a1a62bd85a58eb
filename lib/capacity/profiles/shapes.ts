// Widths of a model's layers that engines size their scratch buffers by, read from its tensors.

import type { ModelSpec } from '../spec.ts';

/**
 * Largest feed-forward width a token passes through: the dense MLP's intermediate size, or for
 * MoE layers the routed experts' width times the experts each token visits (plus shared ones).
 */
export function widestFfnElements(spec: ModelSpec): number {
  let widest = 0;
  for (const tensor of spec.tensors) {
    if (tensor.role !== 'ffn_up' && tensor.role !== 'ffn_gate_up') continue;
    const rows = tensor.shape[0] ?? 0;
    const width = tensor.role === 'ffn_gate_up' ? rows / 2 : rows;
    const visited = tensor.group === 'experts' ? tensor.activeCopies : 1;
    widest = Math.max(widest, width * visited);
  }
  return widest > 0 ? widest : 4 * spec.hiddenSize;
}

/** Most query heads of any attention layer (0 for attention-free models). */
export function maxQueryHeads(spec: ModelSpec): number {
  let heads = 0;
  for (const layer of spec.layers) {
    if (layer.mixer.kind === 'attention' || layer.mixer.kind === 'mla') {
      heads = Math.max(heads, layer.mixer.heads);
    }
  }
  return heads;
}
