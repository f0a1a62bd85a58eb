// vLLM's memory rules: a utilisation share of the device, paged KV blocks per layer group.

import { kvBytesFor } from '../kv-dtype.ts';
import type { LayerCache } from '../kv.ts';
import { layerCaches, splitCachesAcrossRanks } from '../kv.ts';
import type { ModelSpec } from '../spec.ts';
import { widestFfnElements } from './shapes.ts';
import type {
  DeviceMemory,
  EngineModelInput,
  PartNotes,
  PreparedEngine,
  VllmSettings,
} from './types.ts';

/**
 * vLLM defaults: `--gpu-memory-utilization 0.9`, 16-token blocks, V1 scheduler budget,
 * `--max-num-seqs` by GPU (see `vllmMaxNumSeqs`), no VLLM_ALLOW_LONG_MAX_MODEL_LEN.
 */
export const VLLM_DEFAULTS: VllmSettings = {
  engine: 'vllm',
  version: '0.11',
  gpuMemoryUtilization: 0.9,
  blockTokens: 16,
  maxNumBatchedTokens: 8192,
  maxNumSeqs: null,
  allowLongMaxModelLen: false,
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

const PADDED_NOTES: PartNotes = {
  ...NOTES,
  weightsBytes: {
    provenance: 'estimate',
    source:
      'tensor bytes per rank, MXFP4 experts as the MoE kernels pad them (hidden to 256, ' +
      'intermediate to 128: mxfp4.py)',
  },
};

function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

function roundUp(value: number, multiple: number): number {
  return cdiv(value, multiple) * multiple;
}

/** MXFP4 stores 32 values in 17 bytes: 16 bytes of nibbles and one E8M0 scale. */
const MXFP4_BLOCK_BYTES = 17 / 32;

/**
 * Extra bytes per rank of MXFP4 routed experts once vLLM's MoE kernels pad them
 * (mxfp4.py Mxfp4MoEMethod.create_weights): the Marlin backend (GPUs before Hopper, and
 * VLLM_MXFP4_USE_MARLIN) rounds the per-rank intermediate size up to 128 and the hidden size
 * to 256; FlashInfer on Blackwell rounds both to 256, on Hopper to 128. gpt-oss: 2880 x 2880
 * becomes 2944 x 3072 (+9.0 %), which puts gpt-oss-120b at 61.86 + 4.04 GiB = 65.9 GiB, the
 * 65.97 GiB "Model loading took" of vllm#23278 (H100). Hopper's Triton path pads less (64.38
 * GiB in vllm#33155), so this is an estimate that takes the larger layout.
 */
export function mxfp4ExpertPaddingBytes(spec: ModelSpec, tensorParallel: number): number {
  const hidden = spec.hiddenSize;
  const paddedHidden = roundUp(hidden, 256);
  let extra = 0;
  for (const tensor of spec.tensors) {
    if (tensor.group !== 'experts' || tensor.shape.length !== 2) continue;
    const [rows = 0, columns = 0] = tensor.shape;
    let intermediate: number;
    let gateRows = 1;
    if (tensor.role === 'ffn_down') intermediate = columns;
    else if (tensor.role === 'ffn_gate_up') [intermediate, gateRows] = [rows / 2, 2];
    else if (tensor.role === 'ffn_up' || tensor.role === 'ffn_gate') intermediate = rows;
    else continue;
    const perRank = intermediate / tensorParallel;
    const padded = roundUp(perRank, 128) * paddedHidden * gateRows;
    const plain = perRank * hidden * gateRows;
    extra += (padded - plain) * MXFP4_BLOCK_BYTES * tensor.copies;
  }
  return Math.round(extra);
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
  const sampled = Math.min(settings.maxNumSeqs ?? PROFILED_SEQUENCES, settings.maxNumBatchedTokens);
  const paddingBytes = input.mxfp4Experts
    ? mxfp4ExpertPaddingBytes(input.spec, input.tensorParallel)
    : 0;
  const outputBytes = sampled * input.spec.vocabSize * 4;

  return {
    notes: paddingBytes > 0 ? PADDED_NOTES : NOTES,
    memoryAt(contextTokens: number, sequences: number): DeviceMemory {
      let perRequest = 0;
      for (const group of groups) perRequest += requestGroupBytes(group, contextTokens, settings);
      return {
        weightsBytes: input.deviceWeightsBytes + paddingBytes,
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
