// Which multi-device splits each engine can run: device caps, head divisibility, layers per stage.

import { CapacityError } from '../errors.ts';
import type { ModelSpec } from '../spec.ts';
import { maxQueryHeads } from './shapes.ts';
import type { EngineName } from './types.ts';

/** How several devices share one model: ranks of every layer, or stages of whole layers. */
export type Parallelism = 'tensor' | 'pipeline';

/**
 * Devices llama.cpp (and Ollama, which runs it) can spread one model over:
 * `llama_max_devices()` returns 16 (src/llama.cpp), `--tensor-split` holds that many shares
 * (common/arg.cpp), and the CUDA backend registers at most GGML_CUDA_MAX_DEVICES = 16 devices
 * (ggml/include/ggml-cuda.h).
 */
export const LLAMACPP_MAX_DEVICES = 16;

/**
 * Largest vLLM tensor-parallel group planned: the biggest NVLink domain (72 GPUs, GB200 NVL72).
 * Beyond it every layer's all-reduce crosses the network; a model with attention heads is held
 * tighter still, to a count that divides its heads.
 */
export const VLLM_MAX_TENSOR_PARALLEL = 72;

/** What a split is checked against. */
export interface SplitRequest {
  spec: ModelSpec;
  engine: EngineName;
  gpus: number;
  parallelism: Parallelism;
}

function refuse(message: string, expected: string): never {
  throw new CapacityError('invalid_field', message, { field: 'gpus', expected });
}

/** The most devices `engine` runs one model on with `parallelism` (Infinity: no engine cap). */
export function maxEngineDevices(engine: EngineName, parallelism: Parallelism): number {
  switch (engine) {
    case 'transformers.js':
      return 1;
    case 'llama.cpp':
    case 'ollama':
      return LLAMACPP_MAX_DEVICES;
    case 'vllm':
      return parallelism === 'tensor' ? VLLM_MAX_TENSOR_PARALLEL : Infinity;
  }
}

/**
 * Refuses splits the engine cannot run, naming `gpus`: transformers.js (ONNX Runtime in one
 * page) uses one device; llama.cpp and Ollama at most 16; vLLM's tensor parallelism needs a GPU
 * count that divides the attention heads, up to 72; a pipeline needs a layer per device.
 */
export function checkEngineSplit(request: SplitRequest): void {
  const { spec, engine, gpus, parallelism } = request;
  if (gpus === 1) return;

  const cap = maxEngineDevices(engine, parallelism);
  if (cap === 1) {
    refuse(`${engine} runs a model on one device; ${gpus} GPUs were asked for`, '1 for ' + engine);
  }
  if (gpus > cap) {
    refuse(
      `${engine} splits a model over at most ${cap} devices; ${gpus} GPUs were asked for`,
      `a GPU count from 1 to ${cap} for ${engine}`,
    );
  }

  const heads = maxQueryHeads(spec);
  if (parallelism === 'tensor' && engine === 'vllm' && heads > 0 && heads % gpus !== 0) {
    refuse(
      `tensor parallelism over ${gpus} GPUs needs the ${heads} attention heads to divide evenly`,
      `a GPU count that divides ${heads}`,
    );
  }
  const layers = spec.layers.length;
  if (parallelism === 'pipeline' && gpus > layers) {
    refuse(
      `a pipeline over ${gpus} GPUs needs at least ${gpus} layers; the model has ${layers}`,
      `at most ${layers} GPUs for a pipeline`,
    );
  }
}

/**
 * Whether every layer of `engine` (its weights' home and its whole cache) sits on one device
 * even under tensor parallelism: llama.cpp's row split, and Ollama on it, place layers as its
 * layer split does and only spread weight rows (see llamacpp-layers.ts).
 */
export function keepsLayersWhole(engine: EngineName): boolean {
  return engine === 'llama.cpp' || engine === 'ollama';
}
