// transformers.js on ONNX Runtime (WASM or WebGPU): how a browser run holds a model in memory.

import { kvBytesFor } from '../kv-dtype.ts';
import { layerCaches } from '../kv.ts';
import { maxQueryHeads, widestFfnElements } from './shapes.ts';
import type {
  DeviceMemory,
  EngineModelInput,
  OrtSettings,
  PartNotes,
  PreparedEngine,
} from './types.ts';

/** transformers.js defaults: WebGPU where an adapter exists, else WASM. */
export const ORT_DEFAULTS: OrtSettings = { engine: 'transformers.js', backend: 'wasm' };

/** The WASM module, its heap bookkeeping and the JS side of the session: a fixed estimate. */
const RUNTIME_BYTES = 48 * 2 ** 20;

/** Bytes of one attention score: ONNX Runtime's CPU attention computes them in f32. */
const SCORE_BYTES = 4;

const NOTES: PartNotes = {
  weightsBytes: { provenance: 'exact', source: 'sum of initializer bytes of the ONNX graph' },
  kvBytes: {
    provenance: 'estimate',
    source:
      'past_key_values [batch, kv_heads, tokens, head_dim] per layer, past and present alive ' +
      'together during a step; no sliding-window trimming',
  },
  recurrentBytes: { provenance: 'estimate', source: 'recurrent state tensors per sequence' },
  computeBytes: {
    provenance: 'estimate',
    source:
      'ORT arena: hidden and FFN activations of the whole prompt in f32 (transformers.js ' +
      'prefills in one run, unchunked); on WASM also the f32 attention scores of the widest ' +
      'layer, heads x prompt x context (measured: WASM memory grew 131 MiB from a 1,001- to a ' +
      '2,001-token prompt on a 4-head demo model)',
  },
  outputBytes: {
    provenance: 'estimate',
    source: 'logits for every prompt position, [batch, tokens, vocab] f32',
  },
  runtimeBytes: { provenance: 'estimate', source: 'WASM module and session bookkeeping' },
};

/** Binds transformers.js's memory behaviour to one model; see `PreparedEngine`. */
export function prepareOrt(input: EngineModelInput, settings: OrtSettings): PreparedEngine {
  const caches = layerCaches(input.spec, 'decompressed');
  const { k, v, recurrent } = input.kvDtypes;
  let rowBytes = 0;
  let recurrentPerSequence = 0;
  for (const cache of caches) {
    rowBytes += kvBytesFor(cache.kElementsPerToken, k) + kvBytesFor(cache.vElementsPerToken, v);
    recurrentPerSequence +=
      kvBytesFor(cache.stateElements, recurrent) + kvBytesFor(cache.convElements, recurrent);
  }
  const activationRowBytes = (4 * input.spec.hiddenSize + 3 * widestFfnElements(input.spec)) * 4;
  const vocabRowBytes = input.spec.vocabSize * 4;
  const scoreHeads = settings.backend === 'wasm' ? maxQueryHeads(input.spec) : 0;

  return {
    notes: NOTES,
    memoryAt(contextTokens: number, sequences: number): DeviceMemory {
      const prefillTokens = contextTokens;
      const scoreBytes = scoreHeads * prefillTokens * contextTokens * SCORE_BYTES;
      return {
        weightsBytes: input.deviceWeightsBytes,
        kvBytes: 2 * rowBytes * contextTokens * sequences,
        recurrentBytes: 2 * recurrentPerSequence * sequences,
        computeBytes: (activationRowBytes * prefillTokens + scoreBytes) * sequences,
        outputBytes: vocabRowBytes * contextTokens * sequences,
        runtimeBytes: RUNTIME_BYTES,
        hostWeightsBytes: 0,
        hostOutputBytes: 0,
      };
    },
    budgetBytes(usableBytes: number): number {
      return usableBytes;
    },
  };
}
