// Which weight formats each engine loads, and which engine a plan gets when none is named.

import type { DeviceSpec } from '../devices/types.ts';
import { CapacityError } from '../errors.ts';
import type { WeightScheme } from '../quant/schemes.ts';
import type { ModelSpec } from '../spec.ts';
import type { EngineName } from './types.ts';

type SchemeKind = WeightScheme['kind'];

/**
 * Weight formats each engine loads: llama.cpp and Ollama read GGUF (whose F32/F16/BF16 types
 * cover the dense cases); vLLM reads Hugging Face checkpoints in every format here but GGUF
 * (its GGUF loader is experimental); transformers.js runs ONNX graphs in f32/f16 or with
 * int8 and 4-bit (MatMulNBits) weights.
 */
const LOADS: Record<EngineName, readonly SchemeKind[]> = {
  'llama.cpp': ['gguf', 'dense', 'checkpoint'],
  ollama: ['gguf', 'dense', 'checkpoint'],
  vllm: ['dense', 'fp8', 'int8', 'int-group', 'nf4', 'mxfp4', 'checkpoint'],
  'transformers.js': ['dense', 'int8', 'int-group', 'checkpoint'],
};

const EXAMPLES: Record<EngineName, string> = {
  'llama.cpp': 'a GGUF type such as Q4_K_M, Q8_0 or f16',
  ollama: 'a GGUF type such as Q4_K_M, Q8_0 or f16',
  vllm: 'bf16, fp8, int8, gptq-4bit-g128, awq-4bit-g128, nf4 or mxfp4',
  'transformers.js': 'f32, f16, int8 or a 4-bit format such as awq-4bit-g32',
};

/** Throws naming `weights` when `engine` cannot load the scheme (or the model's file format). */
export function checkEngineLoads(engine: EngineName, scheme: WeightScheme, spec: ModelSpec): void {
  const fromGguf = spec.source === 'gguf';
  const ggufEngine = engine === 'llama.cpp' || engine === 'ollama';
  const loads = LOADS[engine].includes(scheme.kind) && (ggufEngine || !fromGguf);
  if (loads) return;
  const what = scheme.kind === 'checkpoint' ? 'a GGUF file' : 'these weights';
  throw new CapacityError('invalid_field', `${engine} cannot load ${what}`, {
    field: 'weights',
    expected: `${EXAMPLES[engine]} for ${engine}`,
  });
}

/**
 * The engine a plan gets when none is named: llama.cpp for GGUF weights and for Apple Silicon
 * and CPU hosts (vLLM runs on neither), vLLM for Hugging Face checkpoints on GPUs.
 */
export function defaultEngine(
  scheme: WeightScheme,
  spec: ModelSpec,
  devices: readonly DeviceSpec[],
): EngineName {
  if (scheme.kind === 'gguf' || spec.source === 'gguf') return 'llama.cpp';
  const gpuServer = devices.every(
    (device) => device.kind !== 'unified-memory' && device.kind !== 'cpu',
  );
  return gpuServer ? 'vllm' : 'llama.cpp';
}
