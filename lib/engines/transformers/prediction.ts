// lib/capacity's transformers.js profile bound to one model config: what a run should hold.

import { kvBytesAt, parseHfConfig, preparePlan } from '../../capacity/index.ts';
import type { ModelSpec } from '../../capacity/index.ts';
import type { BackendName, ModelDtype } from './types.ts';

/** ONNX Runtime's WASM heap at start: `new WebAssembly.Memory({ initial: 256 })`, 64 KiB pages. */
export const ORT_WASM_INITIAL_HEAP_BYTES = 256 * 64 * 1024;

/**
 * Copies of the weights alive at once while ONNX Runtime (WASM) creates a session: the model file
 * copied into the heap, the parsed protobuf's tensor data, and the session's own tensors. Fitted
 * to the heap after load of generated Llama models of 0.7 to 110 MiB of weights.
 */
export const ORT_WASM_LOAD_WEIGHT_COPIES = 3;

/** The runtime's own use of its heap (static data, stack, session bookkeeping), fitted likewise. */
export const ORT_WASM_HEAP_BASE_BYTES = 9 * 2 ** 20;

/** The planner's numbers for one model on one backend, in bytes. */
export interface OrtPrediction {
  spec: ModelSpec;
  /** Weights the profile places on the device (`memoryAt(...).weightsBytes`). */
  weightsBytes: number;
  /** KV cache held between steps at `tokens` tokens: lib/capacity's `kvBytesAt`. */
  kvHeldBytes(tokens: number): number;
  /** The profile's KV figure at `tokens` (past and present alive together during a step). */
  kvPeakBytes(tokens: number): number;
  /** The profile's compute (activation and attention-score) bytes at `tokens`, one sequence. */
  computeBytes(tokens: number): number;
  /** The profile's whole device total at `tokens`, one sequence. */
  totalBytes(tokens: number): number;
  /** The profile's fixed runtime figure (WASM module and session bookkeeping). */
  runtimeBytes: number;
  /**
   * ONNX Runtime's WASM heap (linear memory) right after a load: the load-time copies of the
   * weights plus the runtime's base, never below the initial heap. A lower bound: the heap
   * grows in steps of up to 20% (Emscripten), so the real size is up to about 1.2x this.
   */
  wasmHeapAfterLoadBytes: number;
  /**
   * The WASM heap after a run at `tokens`: the larger of the load figure (the heap never
   * shrinks) and the parts the plan puts in the heap (weights, KV, compute, logits) plus the
   * base. A lower bound for long prompts: ONNX Runtime's arena grows in powers of two and the
   * load copies leave holes that large tensors cannot use.
   */
  wasmHeapBytes(tokens: number): number;
}

/**
 * Binds lib/capacity's transformers.js profile to a Hugging Face `config.json` (object or text):
 * weights at `dtype` (fp32 -> f32, fp16 -> f16), past_key_values in the same type. A Node CPU
 * run is predicted with the WASM profile, the nearest one. Throws CapacityError for a config
 * lib/capacity cannot read.
 */
export function predictOrt(
  config: unknown,
  dtype: ModelDtype,
  backend: BackendName,
): OrtPrediction {
  const clean = stripRuntimeKeys(config);
  const spec = parseHfConfig(clean);
  const element = dtype === 'fp16' ? 'f16' : 'f32';
  const prepared = preparePlan({
    model: spec,
    weights: element,
    kv: element,
    engine: { engine: 'transformers.js', backend: backend === 'webgpu' ? 'webgpu' : 'wasm' },
    devices: ['rtx-4090'],
  });
  const at = (tokens: number) => prepared.engine.memoryAt(Math.max(1, tokens), 1);
  const first = at(1);
  const wasmHeapAfterLoadBytes = Math.max(
    ORT_WASM_INITIAL_HEAP_BYTES,
    ORT_WASM_LOAD_WEIGHT_COPIES * first.weightsBytes + ORT_WASM_HEAP_BASE_BYTES,
  );

  return {
    spec,
    weightsBytes: first.weightsBytes,
    kvHeldBytes: (tokens) => kvBytesAt(prepared.modelKv, tokens, 1),
    kvPeakBytes: (tokens) => at(tokens).kvBytes,
    computeBytes: (tokens) => at(tokens).computeBytes,
    totalBytes: (tokens) => {
      const memory = at(tokens);
      return (
        memory.weightsBytes +
        memory.kvBytes +
        memory.recurrentBytes +
        memory.computeBytes +
        memory.outputBytes +
        memory.runtimeBytes
      );
    },
    runtimeBytes: first.runtimeBytes,
    wasmHeapAfterLoadBytes,
    wasmHeapBytes: (tokens) => {
      const memory = at(tokens);
      const inHeap =
        memory.weightsBytes +
        memory.kvBytes +
        memory.recurrentBytes +
        memory.computeBytes +
        memory.outputBytes;
      return Math.max(wasmHeapAfterLoadBytes, inHeap + ORT_WASM_HEAP_BASE_BYTES);
    },
  };
}

/** transformers.js's PretrainedConfig carries derived keys; keep only the file's own. */
function stripRuntimeKeys(config: unknown): unknown {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return config;
  const copy: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  delete copy.normalized_config;
  return copy;
}
