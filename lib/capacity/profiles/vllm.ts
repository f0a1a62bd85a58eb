// vLLM's memory rules: a utilisation share of the device, paged KV blocks per layer group.

import { kvBytesFor } from '../kv-dtype.ts';
import type { LayerCache } from '../kv.ts';
import { layerCaches, splitCachesAcrossRanks } from '../kv.ts';
import { widestFfnElements } from './shapes.ts';
import type {
  DeviceMemory,
  EngineModelInput,
  PartNotes,
  PreparedEngine,
  VllmSettings,
} from './types.ts';

/** vLLM defaults: `--gpu-memory-utilization 0.9`, 16-token blocks, V1 scheduler budget. */
export const VLLM_DEFAULTS: VllmSettings = {
  engine: 'vllm',
  version: '0.11',
  gpuMemoryUtilization: 0.9,
  blockTokens: 16,
  maxNumBatchedTokens: 8192,
};

/** Sequences vLLM's profiling run samples at once (`--max-num-seqs` default). */
const PROFILED_SEQUENCES = 256;

/**
 * Non-torch memory plus CUDA graphs and torch.compile workspace: about 0.25 + 0.25 + 0.11 GiB
 * as kvplan measured for Llama-3.1-8B on an L4 (capacity.md 3.4), here 256 + 256 + 112 MiB.
 * An estimate for other models.
 */
const RUNTIME_BYTES = (256 + 256 + 112) * 2 ** 20;

const NOTES: PartNotes = {
  weightsBytes: { provenance: 'exact', source: 'sum of tensor bytes per rank' },
  kvBytes: {
    provenance: 'exact',
    source: 'vLLM kv_cache_interface.py: pages of block_size tokens per layer group',
  },
  recurrentBytes: {
    provenance: 'estimate',
    source: 'vLLM mamba_cache_mode none: one state page per request',
  },
  computeBytes: {
    provenance: 'estimate',
    source: 'profiled forward at max_num_batched_tokens: hidden and FFN activations',
  },
  outputBytes: { provenance: 'estimate', source: 'sampler logits, max_num_seqs x vocab x f32' },
  runtimeBytes: { provenance: 'estimate', source: 'non-torch + CUDA graphs (kvplan, L4)' },
};

function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/** vLLM before 0.10 charged every layer of a hybrid sliding/full model at full length. */
function usesPerGroupWindows(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 0 || minor >= 10;
}

/** Layers that hold the same number of tokens per request, with their rows summed. */
interface BlockGroup {
  windowTokens: number | null;
  rowBytes: number;
}

function blockGroups(caches: readonly LayerCache[], rows: number[], s: VllmSettings): BlockGroup[] {
  const windowed = usesPerGroupWindows(s.version);
  const byWindow = new Map<number | null, number>();
  caches.forEach((cache, index) => {
    const row = rows[index] ?? 0;
    if (row === 0) return;
    const window = windowed && cache.kind === 'sliding' ? cache.windowTokens : null;
    byWindow.set(window, (byWindow.get(window) ?? 0) + row);
  });
  return [...byWindow].map(([windowTokens, rowBytes]) => ({ windowTokens, rowBytes }));
}

/** Bytes one request of `tokens` holds in one group, in whole blocks (sliding: +1 block). */
function requestGroupBytes(group: BlockGroup, tokens: number, s: VllmSettings): number {
  const block = s.blockTokens;
  if (group.windowTokens === null) return cdiv(tokens, block) * block * group.rowBytes;
  const held = Math.min(group.windowTokens - 1 + s.maxNumBatchedTokens, tokens);
  return (cdiv(held, block) + 1) * block * group.rowBytes;
}

/** Binds vLLM's rules to one model and split; see `PreparedEngine`. */
export function prepareVllm(input: EngineModelInput, settings: VllmSettings): PreparedEngine {
  const caches = splitCachesAcrossRanks(layerCaches(input.spec, 'latent'), input.tensorParallel);
  const { k, v, recurrent } = input.kvDtypes;
  const rows = caches.map(
    (cache) => kvBytesFor(cache.kElementsPerToken, k) + kvBytesFor(cache.vElementsPerToken, v),
  );
  const groups = blockGroups(caches, rows, settings);
  const recurrentPerRequest = caches.reduce(
    (sum, cache) =>
      sum + kvBytesFor(cache.stateElements, recurrent) + kvBytesFor(cache.convElements, recurrent),
    0,
  );

  const hidden = input.spec.hiddenSize;
  const ffn = widestFfnElements(input.spec) / input.tensorParallel;
  const computeBytes = settings.maxNumBatchedTokens * (4 * hidden + 3 * ffn) * 2;
  const sampled = Math.min(PROFILED_SEQUENCES, settings.maxNumBatchedTokens);
  const outputBytes = sampled * input.spec.vocabSize * 4;

  return {
    notes: NOTES,
    memoryAt(contextTokens: number, sequences: number): DeviceMemory {
      let perRequest = 0;
      for (const group of groups) perRequest += requestGroupBytes(group, contextTokens, settings);
      return {
        weightsBytes: input.deviceWeightsBytes,
        kvBytes: perRequest * sequences,
        recurrentBytes: recurrentPerRequest * sequences,
        computeBytes,
        outputBytes,
        runtimeBytes: RUNTIME_BYTES,
        hostWeightsBytes: 0,
        hostOutputBytes: 0,
      };
    },
    budgetBytes(usableBytes: number): number {
      return Math.floor(usableBytes * settings.gpuMemoryUtilization);
    },
  };
}
