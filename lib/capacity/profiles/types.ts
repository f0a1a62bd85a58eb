// Shared shapes of engine memory profiles: the settings each engine takes and what it allocates.

import type { DeviceSpec, DeviceVendor } from '../devices/types.ts';
import type { KvDtypes } from '../kv.ts';
import type { ModelSpec } from '../spec.ts';

/** llama.cpp (and engines built on it) settings that change memory. */
export interface LlamaCppSettings {
  engine: 'llama.cpp';
  /** llama.cpp build number; rules that changed between builds (MLA cache form) key on it. */
  build: number;
  flashAttention: boolean;
  /** Logical batch (`-b`), tokens. */
  batchTokens: number;
  /** Physical micro-batch (`-ub`), tokens. */
  ubatchTokens: number;
  /** Whether all sequences share one KV buffer (`--kv-unified`). */
  unifiedKv: boolean;
  /**
   * Bytes `--fit` keeps free on each device (`--fit-target`, 1 GiB by default in
   * common/common.h; 0 with `--fit off`): with the default `-ngl` and `-c` llama.cpp moves
   * layers to the CPU or shortens the context rather than use them.
   */
  fitTargetBytes: number;
}

/** vLLM settings that change memory. */
export interface VllmSettings {
  engine: 'vllm';
  /** vLLM version as `major.minor`, e.g. `0.11`. */
  version: string;
  /** Share of device memory vLLM may use (`--gpu-memory-utilization`). */
  gpuMemoryUtilization: number;
  /** Tokens per KV block (`--block-size`). */
  blockTokens: number;
  /**
   * Tokens scheduled per step (`--max-num-batched-tokens`); null for vLLM's own default, which
   * depends on the GPU (see `vllmMaxNumBatchedTokens`).
   */
  maxNumBatchedTokens: number | null;
  /**
   * Sequences scheduled at once (`--max-num-seqs`); null for vLLM's own default, which
   * depends on the GPU (see `vllmMaxNumSeqs`).
   */
  maxNumSeqs: number | null;
  /** `VLLM_ALLOW_LONG_MAX_MODEL_LEN=1`: start with a context above the derived limit. */
  allowLongMaxModelLen: boolean;
}

/** Ollama settings that change memory (it runs llama.cpp underneath). */
export interface OllamaSettings {
  engine: 'ollama';
  /** Ollama version as `major.minor`, e.g. `0.13`; flash attention and reserves key on it. */
  version: string;
  /** OLLAMA_FLASH_ATTENTION: true or false when set, null when unset (the release's default). */
  flashAttention: boolean | null;
  /** `OLLAMA_GPU_OVERHEAD`, bytes reserved per GPU on top of the estimate. */
  gpuOverheadBytes: number;
}

/** transformers.js on ONNX Runtime (WebGPU or WASM) settings. */
export interface OrtSettings {
  engine: 'transformers.js';
  backend: 'webgpu' | 'wasm';
}

export type EngineSettings = LlamaCppSettings | VllmSettings | OllamaSettings | OrtSettings;

export type EngineName = EngineSettings['engine'];

/** How much we trust a number: exact engine arithmetic, or an estimate with a stated source. */
export type Provenance = 'exact' | 'estimate';

/** One named slice of an engine's memory, with where its formula comes from. */
export interface MemoryPart {
  name: 'weights' | 'kv' | 'recurrent_state' | 'compute' | 'output' | 'runtime' | 'reserve';
  bytes: number;
  provenance: Provenance;
  /** Source of the formula or constant (file, PR or document). */
  source: string;
  /** Whether the part lives on the accelerator (false: host memory, such as llama.cpp's logits). */
  onDevice: boolean;
}

/**
 * What one device holds at a given context and sequence count, in bytes, as plain numbers so
 * that a sweep can evaluate millions of points without building part lists.
 */
export interface DeviceMemory {
  weightsBytes: number;
  kvBytes: number;
  recurrentBytes: number;
  computeBytes: number;
  outputBytes: number;
  runtimeBytes: number;
  /** Weights the engine keeps in host memory (llama.cpp's input embedding); not in the total. */
  hostWeightsBytes: number;
  /** Logits the engine keeps in host memory (llama.cpp's output buffer); not in the total. */
  hostOutputBytes: number;
}

/** Provenance and source of each part of a profile, fixed per engine. */
export type PartNotes = Record<
  Exclude<keyof DeviceMemory, 'hostWeightsBytes' | 'hostOutputBytes'>,
  { provenance: Provenance; source: string }
>;

/** An engine's memory rules bound to one model, weight scheme, KV type and device split. */
export interface PreparedEngine {
  notes: PartNotes;
  /** Memory of the busiest device at `contextTokens` per sequence and `sequences` sequences. */
  memoryAt(contextTokens: number, sequences: number): DeviceMemory;
  /**
   * Bytes available for the model on one device of `usableBytes`, after engine reserves (and,
   * for NVIDIA devices under llama.cpp, the CUDA context).
   */
  budgetBytes(usableBytes: number, vendor?: DeviceVendor): number;
  /**
   * Cache bytes one sequence of `contextTokens` reads per decode step on this device, where
   * that differs from what it holds (vLLM holds window - 1 + max_num_batched_tokens tokens per
   * sliding layer but attends to the window); absent: it reads what it holds.
   */
  kvReadBytesAt?(contextTokens: number): number;
}

/** What every engine profile is prepared from: one model at one weight scheme and split. */
export interface EngineModelInput {
  spec: ModelSpec;
  /** Weight bytes on the busiest device after the tensor-parallel split. */
  deviceWeightsBytes: number;
  /** Bytes of the input embedding matrix on that device (llama.cpp keeps it in host memory). */
  deviceEmbeddingBytes: number;
  /**
   * Bytes of the input embedding the engine keeps in host memory when that differs from the
   * device share: llama.cpp's row split divides the offloaded tensors but keeps the input
   * embedding whole on the CPU.
   */
  hostEmbeddingBytes?: number;
  kvDtypes: KvDtypes;
  /** Tensor-parallel ranks the layers are split across (1 for a single device). */
  tensorParallel: number;
  /** Whether the routed experts are stored as MXFP4 (gpt-oss), whose MoE kernels pad them. */
  mxfp4Experts?: boolean;
  /** The device type, for engine defaults that depend on it (vLLM's batch limits). */
  device?: DeviceSpec;
}
