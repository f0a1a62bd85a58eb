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

/**
 * Chooses the backend and weight dtype for a browser run. WebGPU needs an adapter; fp16 weights
 * need the adapter's `shader-f16` feature, else the run uses fp32. `gpu` is `navigator.gpu`
 * (undefined where the browser has no WebGPU); `forceWasm` skips the adapter query.
 */
export async function chooseBrowserBackend(
  gpu: GpuLike | undefined,
  wantedDtype: ModelDtype,
  forceWasm = false,
): Promise<BackendChoice> {
  if (forceWasm) return { backend: 'wasm', dtype: wantedDtype, reason: 'WASM was asked for' };
  if (!gpu) {
    return {
      backend: 'wasm',
      dtype: wantedDtype,
      reason: 'this browser has no WebGPU (navigator.gpu is missing), so ONNX Runtime runs on WASM',
    };
  }

  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) {
    return {
      backend: 'wasm',
      dtype: wantedDtype,
      reason: 'no WebGPU adapter (requestAdapter() returned null), so ONNX Runtime runs on WASM',
    };
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
