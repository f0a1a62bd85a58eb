// Picks where ONNX Runtime runs: WebGPU when the browser offers an adapter, else WASM.

import type { BackendChoice, ModelDtype } from './types.ts';

/** The part of a WebGPU adapter the choice reads. */
export interface GpuAdapterLike {
  features: { has(name: string): boolean };
}

/** The part of `navigator.gpu` the choice reads. */
export interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

/** Why WASM runs fp32 weights only. */
const WASM_FP16_REASON =
  "fp16 weights need WebGPU with shader-f16: ONNX Runtime's WASM kernels compute in fp32, " +
  'so an fp16 model would be cast up and the fp16 plan would not describe the run';

/** A WASM choice: fp16 is never run there (see WASM_FP16_REASON), so fp32 is used. */
function wasmChoice(wantedDtype: ModelDtype, why: string): BackendChoice {
  if (wantedDtype === 'fp16') {
    return { backend: 'wasm', dtype: 'fp32', reason: `${why}; ${WASM_FP16_REASON}` };
  }
  return { backend: 'wasm', dtype: 'fp32', reason: why };
}

/**
 * Chooses the backend and weight dtype for a browser run. WebGPU needs an adapter; fp16 weights
 * need WebGPU and the adapter's `shader-f16` feature, else the run uses fp32 and the reason says
 * why. `gpu` is `navigator.gpu` (undefined where the browser has no WebGPU); `forceWasm` skips
 * the adapter query.
 */
export async function chooseBrowserBackend(
  gpu: GpuLike | undefined,
  wantedDtype: ModelDtype,
  forceWasm = false,
): Promise<BackendChoice> {
  if (forceWasm) return wasmChoice(wantedDtype, 'WASM was asked for');
  if (!gpu) {
    return wasmChoice(
      wantedDtype,
      'this browser has no WebGPU (navigator.gpu is missing), so ONNX Runtime runs on WASM',
    );
  }

  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) {
    return wasmChoice(
      wantedDtype,
      'no WebGPU adapter (requestAdapter() returned null), so ONNX Runtime runs on WASM',
    );
  }

  if (wantedDtype === 'fp16' && !adapter.features.has('shader-f16')) {
    return {
      backend: 'webgpu',
      dtype: 'fp32',
      reason: 'WebGPU adapter found, but without shader-f16, so the fp32 weights are used',
    };
  }
  return { backend: 'webgpu', dtype: wantedDtype, reason: 'WebGPU adapter found' };
}

/** The choice in Node: onnxruntime-node on the CPU. */
export function nodeBackend(dtype: ModelDtype): BackendChoice {
  return { backend: 'cpu', dtype, reason: 'Node: onnxruntime-node on the CPU' };
}
