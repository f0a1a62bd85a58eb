// vLLM's memory rules: a utilisation share of the device, paged KV blocks per layer group.

import { kvBytesFor } from '../kv-dtype.ts';
import type { LayerCache } from '../kv.ts';
import { layerCaches, splitCachesAcrossRanks } from '../kv.ts';
import type { ModelSpec } from '../spec.ts';
import { widestFfnElements } from './shapes.ts';
import { vllmBatchedTokensRule, vllmMaxNumSeqs } from './vllm-limits.ts';
import type {
  DeviceMemory,
  EngineModelInput,
  PartNotes,
  PreparedEngine,
  VllmSettings,
} from './types.ts';

/**
 * vLLM defaults: `--gpu-memory-utilization 0.9`, 16-token blocks, `--max-num-batched-tokens`
 * and `--max-num-seqs` by GPU (see `vllmMaxNumBatchedTokens`, `vllmMaxNumSeqs`), no
 * VLLM_ALLOW_LONG_MAX_MODEL_LEN.
 */
export const VLLM_DEFAULTS: VllmSettings = {
  engine: 'vllm',
  version: '0.11',
  gpuMemoryUtilization: 0.9,
  blockTokens: 16,
  maxNumBatchedTokens: null,
  maxNumSeqs: null,
  allowLongMaxModelLen: false,
};

/**
 * Peak bytes per logit of vLLM's profiling sampler run (gpu_model_runner.py
 * `_dummy_sampler_run`): it samples min(max_num_seqs, max_num_batched_tokens) rows of the
 * vocabulary with top_k = vocab - 1 and top_p = 0.9, so the PyTorch top-k/top-p path sorts the
 * whole f32 logits (values plus int64 indices), takes a softmax and cumulative sum, scatters
 * back and draws exponentials: about 30-40 bytes per logit by count. 38 is calibrated on two
 * published gpt-oss-120b logs on one H100 (vllm#23278, util 0.9: "Available KV cache memory:
 * -2.14 GiB"; vllm#27508, util 0.95, --max-num-batched-tokens 1024: 1.71 GiB), whose non-KV
 * memory was 7.9-8.0 GiB above the weights at either batch budget: the sampler, not the
 * forward, sets the peak.
 */
const SAMPLER_BYTES_PER_LOGIT = 38;

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
  outputBytes: {
    provenance: 'estimate',
    source:
      "profiled sampler peak beyond the forward's: min(max_num_seqs, max_num_batched_tokens) " +
      'x vocab x 38 B (top-k/top-p sort of f32 logits; calibrated on vllm#23278 and #27508)',
  },
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
 * Extra bytes per rank of MXFP4 routed experts once vLLM's MoE kernels pad them, per decoder
 * layer (mxfp4.py Mxfp4MoEMethod.create_weights): the Marlin backend (GPUs before Hopper, and
 * VLLM_MXFP4_USE_MARLIN) rounds the per-rank intermediate size up to 128 and the hidden size
 * to 256; FlashInfer on Blackwell rounds both to 256, on Hopper to 128. gpt-oss: 2880 x 2880
 * becomes 2944 x 3072 (+9.0 %), which puts gpt-oss-120b at 60.76 + 5.13 GiB = 65.89 GiB, the
 * 65.97 GiB "Model loading took" of vllm#23278 (H100). Hopper's Triton path pads less (64.38
 * GiB in vllm#33155), so this is an estimate that takes the larger layout.
 */
export function mxfp4ExpertPaddingByLayer(
  spec: ModelSpec,
  tensorParallel: number,
): Map<number | null, number> {
  const hidden = spec.hiddenSize;
  const paddedHidden = roundUp(hidden, 256);
  const byLayer = new Map<number | null, number>();
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
    const extra = (padded - plain) * MXFP4_BLOCK_BYTES * tensor.copies;
    byLayer.set(tensor.layer, (byLayer.get(tensor.layer) ?? 0) + extra);
  }
  return byLayer;
}

/** All of `mxfp4ExpertPaddingByLayer` on one rank, in bytes. */
export function mxfp4ExpertPaddingBytes(spec: ModelSpec, tensorParallel: number): number {
  let extra = 0;
  for (const bytes of mxfp4ExpertPaddingByLayer(spec, tensorParallel).values()) extra += bytes;
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

/**
 * Bytes one request of `tokens` holds in one group, in whole blocks (sliding: the window - 1
 * plus one step's `batchedTokens`, and one block more).
 */
function requestGroupBytes(
  group: BlockGroup,
  tokens: number,
  batchedTokens: number,
  blockTokens: number,
): number {
  if (group.windowTokens === null) return cdiv(tokens, blockTokens) * blockTokens * group.rowBytes;
  const held = Math.min(group.windowTokens - 1 + batchedTokens, tokens);
  return (cdiv(held, blockTokens) + 1) * blockTokens * group.rowBytes;
}

/** Bytes one request of `tokens` attends to per decode step: the window on sliding layers. */
function requestGroupReadBytes(group: BlockGroup, tokens: number): number {
  const read = group.windowTokens === null ? tokens : Math.min(group.windowTokens, tokens);
  return read * group.rowBytes;
}

/**
 * The profiled forward's activations at `batchedTokens` tokens (hidden and FFN activations in
 * bf16) and what the sampler run adds above them (see `SAMPLER_BYTES_PER_LOGIT`): vLLM's
 * profile takes the peak of the two, not their sum.
 */
function profiledPeak(
  shape: { hiddenSize: number; ffnElements: number; vocabSize: number },
  batchedTokens: number,
  maxNumSeqs: number,
): { computeBytes: number; outputBytes: number } {
  const computeBytes = batchedTokens * (4 * shape.hiddenSize + 3 * shape.ffnElements) * 2;
  const sampled = Math.min(maxNumSeqs, batchedTokens);
  const samplerBytes = sampled * shape.vocabSize * SAMPLER_BYTES_PER_LOGIT;
  return { computeBytes, outputBytes: Math.max(0, samplerBytes - computeBytes) };
}

/**
 * Binds vLLM's rules to one model, split and device (see `PreparedEngine`); without a device
 * the batch defaults are those of GPUs under 70 GiB.
 */
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

  const device = input.device ?? null;
  const maxNumSeqs =
    device === null
      ? (settings.maxNumSeqs ?? Math.min(256, settings.maxNumBatchedTokens ?? 256))
      : vllmMaxNumSeqs(settings, device);
  const batchedTokensAt = vllmBatchedTokensRule(settings, device);
  const shape = {
    hiddenSize: input.spec.hiddenSize,
    ffnElements: widestFfnElements(input.spec) / input.tensorParallel,
    vocabSize: input.spec.vocabSize,
  };
  const paddingBytes = input.mxfp4Experts
    ? mxfp4ExpertPaddingBytes(input.spec, input.tensorParallel)
    : 0;

  return {
    notes: paddingBytes > 0 ? PADDED_NOTES : NOTES,
    memoryAt(contextTokens: number, sequences: number): DeviceMemory {
      const batchedTokens = batchedTokensAt(contextTokens);
      let perRequest = 0;
      for (const group of groups) {
        perRequest += requestGroupBytes(group, contextTokens, batchedTokens, settings.blockTokens);
      }
      return {
        weightsBytes: input.deviceWeightsBytes + paddingBytes,
        kvBytes: perRequest * sequences,
        recurrentBytes: recurrentPerRequest * sequences,
        ...profiledPeak(shape, batchedTokens, maxNumSeqs),
        runtimeBytes: RUNTIME_BYTES,
        hostWeightsBytes: 0,
        hostOutputBytes: 0,
      };
    },
    budgetBytes(usableBytes: number): number {
      return Math.floor(usableBytes * settings.gpuMemoryUtilization);
    },
    kvReadBytesAt(contextTokens: number): number {
      let perRequest = recurrentPerRequest;
      for (const group of groups) perRequest += requestGroupReadBytes(group, contextTokens);
      return perRequest;
    },
  };
}
