// Turns what a run can observe (tensor dims, file bytes, heap readings) into measured figures.

import type { MeasuredFigure } from './types.ts';
import { wasmMemoryBytes } from './wasm-memory.ts';

/** Bytes per element of ONNX Runtime tensor type names that a KV cache can use. */
const TENSOR_ELEMENT_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  uint8: 1,
};

/** The part of a transformers.js Tensor the measurement reads. */
export interface TensorLike {
  dims: readonly number[];
  type: string;
}

/** What the KV cache tensors of a run hold. */
export interface KvMeasurement {
  /** Bytes of every cache tensor: product of dims x element size. */
  bytes: number;
  /** Tokens along the sequence axis (axis 2 of [batch, kv heads, tokens, head dim]). */
  tokens: number;
  tensors: number;
  /** Bytes of one token across all tensors (bytes / tokens), 0 for an empty cache. */
  bytesPerToken: number;
}

/**
 * Measures a transformers.js KV cache (a DynamicCache or any name -> tensor record) from its
 * tensors' dims: `past_key_values.<layer>.key|value` are [batch, kv heads, tokens, head dim].
 * Throws for a tensor type whose size is unknown rather than counting it as zero.
 */
export function measureKvCache(cache: Readonly<Record<string, unknown>>): KvMeasurement {
  let bytes = 0;
  let tokens = 0;
  let tensors = 0;
  for (const [name, value] of Object.entries(cache)) {
    if (!name.startsWith('past_key_values.') || !isTensorLike(value)) continue;
    const elementBytes = TENSOR_ELEMENT_BYTES[value.type];
    if (elementBytes === undefined) {
      throw new Error(`KV tensor ${name} has type ${value.type}, whose size is not known`);
    }
    bytes += value.dims.reduce((product, dim) => product * dim, 1) * elementBytes;
    tokens = Math.max(tokens, value.dims[2] ?? 0);
    tensors += 1;
  }
  return { bytes, tokens, tensors, bytesPerToken: tokens === 0 ? 0 : bytes / tokens };
}

function isTensorLike(value: unknown): value is TensorLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { dims?: unknown; type?: unknown };
  return Array.isArray(candidate.dims) && typeof candidate.type === 'string';
}

/** A measured figure with its prediction and the difference between them. */
export function figure(
  name: string,
  measured: number,
  predicted: number | null,
  method: string,
): MeasuredFigure {
  const differenceBytes = predicted === null ? null : measured - predicted;
  const relativeDifference =
    predicted === null || predicted === 0 || differenceBytes === null
      ? null
      : Math.abs(differenceBytes) / predicted;
  return { name, measured, predicted, differenceBytes, relativeDifference, method };
}

/** A reading of process or page memory, bytes; fields are absent where not measurable. */
export interface MemoryReading {
  /** JS heap in use (Node's heapUsed, Chromium's performance.memory.usedJSHeapSize). */
  jsHeapBytes?: number;
  /** ArrayBuffers and native memory outside the JS heap (Node's external + arrayBuffers). */
  externalBytes?: number;
  /** Resident set of the whole process (Node only); fills lazily, so a coarse upper figure. */
  residentBytes?: number;
  /** Whole-page memory from measureUserAgentSpecificMemory (cross-origin isolated pages). */
  pageBytes?: number;
  /** ONNX Runtime's WASM linear memory (high-water mark: it never shrinks). */
  wasmBytes?: number;
}

/** Returns a memory reading; each environment supplies its own probe. */
export type MemoryProbe = () => Promise<MemoryReading>;

interface ChromiumPerformance {
  memory?: { usedJSHeapSize?: number };
  measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
}

/**
 * The browser probe: ONNX Runtime's WASM linear memory (see `watchWasmMemory`), Chromium's
 * `performance.memory` JS heap, and the whole page's bytes from
 * `performance.measureUserAgentSpecificMemory()` where the page is cross-origin isolated.
 * Fields are left out where the browser lacks them.
 */
export async function browserMemoryProbe(): Promise<MemoryReading> {
  const perf = globalThis.performance as unknown as ChromiumPerformance | undefined;
  const reading: MemoryReading = {};
  const wasm = wasmMemoryBytes();
  if (wasm !== undefined) reading.wasmBytes = wasm;
  const heap = perf?.memory?.usedJSHeapSize;
  if (typeof heap === 'number' && heap > 0) reading.jsHeapBytes = heap;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (isolated && typeof perf?.measureUserAgentSpecificMemory === 'function') {
    try {
      reading.pageBytes = (await perf.measureUserAgentSpecificMemory()).bytes;
    } catch {
      // The API refuses in some contexts (workers of non-isolated pages); leave the field out.
    }
  }
  return reading;
}
