// Watches WebAssembly instantiation so a run can read ONNX Runtime's WASM linear memory size.

const memories = new Set<WebAssembly.Memory>();
let installed = false;

function collect(value: unknown, depth = 0): void {
  if (value instanceof WebAssembly.Memory) {
    memories.add(value);
    return;
  }
  if (depth > 2 || typeof value !== 'object' || value === null) return;
  for (const entry of Object.values(value as Record<string, unknown>)) collect(entry, depth + 1);
}

function collectResult(result: unknown): void {
  if (result instanceof WebAssembly.Instance) collect(result.exports);
  else if (typeof result === 'object' && result !== null && 'instance' in result) {
    collect((result as { instance: WebAssembly.Instance }).instance.exports);
  }
}

/**
 * Wraps `WebAssembly.instantiate` and `instantiateStreaming` (once) to remember every linear
 * memory a module imports or exports. Call before ONNX Runtime starts; harmless if repeated.
 */
export function watchWasmMemory(): void {
  if (installed || typeof WebAssembly === 'undefined') return;
  installed = true;
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const wrapped = async (source: unknown, imports?: WebAssembly.Imports) => {
    collect(imports);
    const result = await (instantiate as (a: unknown, b?: WebAssembly.Imports) => unknown)(
      source,
      imports,
    );
    collectResult(result);
    return result;
  };
  WebAssembly.instantiate = wrapped as typeof WebAssembly.instantiate;

  if (typeof WebAssembly.instantiateStreaming === 'function') {
    const streaming = WebAssembly.instantiateStreaming.bind(WebAssembly);
    WebAssembly.instantiateStreaming = (async (source, imports) => {
      collect(imports);
      const result = await streaming(source, imports);
      collectResult(result);
      return result;
    }) as typeof WebAssembly.instantiateStreaming;
  }
}

/**
 * Bytes of every WASM linear memory seen since `watchWasmMemory`, or undefined when none was
 * seen. Linear memory only grows, so this is the high-water mark of the runtime's heap.
 */
export function wasmMemoryBytes(): number | undefined {
  if (memories.size === 0) return undefined;
  let bytes = 0;
  for (const memory of memories) bytes += memory.buffer.byteLength;
  return bytes;
}
