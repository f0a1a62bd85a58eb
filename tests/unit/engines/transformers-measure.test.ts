// Backend choice, ONNX initializer sizes and KV measurement of the transformers.js runner.

import { describe, expect, it } from 'vitest';

import {
  OnnxFormatError,
  chooseBrowserBackend,
  figure,
  measureKvCache,
  onnxWeights,
  predictOrt,
} from '../../../lib/engines/transformers/index.ts';
import type { GpuLike } from '../../../lib/engines/transformers/index.ts';
import {
  DEMO_MODEL_SHAPE,
  demoConfigJson,
  demoModelFiles,
} from '../../../scripts/make-demo-model.ts';

function gpuWith(adapter: { features: string[] } | null | 'throws'): GpuLike {
  return {
    requestAdapter: async () => {
      if (adapter === 'throws') throw new Error('adapter lost');
      if (!adapter) return null;
      return { features: new Set(adapter.features) };
    },
  };
}

describe('chooseBrowserBackend', () => {
  it.each([
    ['no navigator.gpu', undefined, 'fp32', 'wasm', 'fp32', /navigator\.gpu is missing/],
    ['a null adapter', gpuWith(null), 'fp32', 'wasm', 'fp32', /no WebGPU adapter/],
    [
      'an adapter query that throws',
      gpuWith('throws'),
      'fp32',
      'wasm',
      'fp32',
      /no WebGPU adapter/,
    ],
    ['an adapter, fp32', gpuWith({ features: [] }), 'fp32', 'webgpu', 'fp32', /adapter found/],
    [
      'an adapter without shader-f16',
      gpuWith({ features: [] }),
      'fp16',
      'webgpu',
      'fp32',
      /shader-f16/,
    ],
    [
      'an adapter with shader-f16',
      gpuWith({ features: ['shader-f16'] }),
      'fp16',
      'webgpu',
      'fp16',
      /adapter found/,
    ],
  ] as const)('picks the backend for %s', async (_label, gpu, wanted, backend, dtype, reason) => {
    const choice = await chooseBrowserBackend(gpu, wanted);
    expect(choice.backend).toBe(backend);
    expect(choice.dtype).toBe(dtype);
    expect(choice.reason).toMatch(reason);
  });

  it('uses WASM when asked, without querying an adapter', async () => {
    const gpu: GpuLike = {
      requestAdapter: async () => {
        throw new Error('must not be called');
      },
    };
    expect((await chooseBrowserBackend(gpu, 'fp32', true)).backend).toBe('wasm');
  });
});

describe('onnxWeights', () => {
  it('sizes every initializer of the demo model from its dims', () => {
    const model = demoModelFiles().get('onnx/model.onnx') as Uint8Array;
    const weights = onnxWeights(model);
    const byName = new Map(weights.initializers.map((entry) => [entry.name, entry]));

    expect(weights.initializers).toHaveLength(1 + 4 * 9 + 2); // embedding, 9 per layer, norm, head
    expect(byName.get('model.embed_tokens.weight')?.dims).toEqual([259, 64]);
    expect(byName.get('model.layers.0.self_attn.k_proj.weight')?.bytes).toBe(64 * 32 * 4);
    expect(byName.get('lm_head.weight')?.bytes).toBe(64 * 259 * 4);
    expect(weights.weightsBytes).toBe(181_184 * 4);
  });

  it.each([
    ['an empty file', new Uint8Array(0), /no ONNX graph/],
    ['a truncated graph field', new Uint8Array([0x3a, 0x05, 0x01]), /truncated/],
    ['an unfinished number', new Uint8Array([0x08, 0x80]), /ends inside a number/],
  ])('rejects %s', (_label, bytes, message) => {
    expect(() => onnxWeights(bytes)).toThrow(OnnxFormatError);
    expect(() => onnxWeights(bytes)).toThrow(message);
  });
});

describe('measureKvCache', () => {
  it('sums past_key_values tensors by dims and element type', () => {
    const cache = {
      'past_key_values.0.key': { dims: [1, 2, 27, 16], type: 'float32' },
      'past_key_values.0.value': { dims: [1, 2, 27, 16], type: 'float32' },
      'past_key_values.1.key': { dims: [1, 2, 27, 16], type: 'float16' },
      other: { dims: [1000], type: 'float32' },
    };
    const kv = measureKvCache(cache);
    expect(kv.bytes).toBe(2 * (2 * 27 * 16 * 4) + 2 * 27 * 16 * 2); // two f32 tensors, one f16
    expect(kv.tokens).toBe(27);
    expect(kv.tensors).toBe(3);
  });

  it('refuses a tensor type it cannot size', () => {
    const cache = { 'past_key_values.0.key': { dims: [1, 2, 3, 4], type: 'string' } };
    expect(() => measureKvCache(cache)).toThrow(/type string/);
  });
});

describe('figure', () => {
  it.each([
    [1100, 1000, 100, 0.1],
    [900, 1000, -100, 0.1],
    [5, null, null, null],
    [5, 0, 5, null],
  ] as const)('compares %d with %s', (measured, predicted, difference, share) => {
    const entry = figure('x', measured, predicted, 'test');
    expect(entry.differenceBytes).toBe(difference);
    if (share === null) expect(entry.relativeDifference).toBeNull();
    else expect(entry.relativeDifference).toBeCloseTo(share, 12);
  });
});

describe('predictOrt', () => {
  it('predicts the demo model from its config on the transformers.js profile', () => {
    const prediction = predictOrt(demoConfigJson(), 'fp32', 'wasm');
    expect(prediction.weightsBytes).toBe(181_184 * 4);
    // tokens x layers x K+V x kv heads x dim x f32
    expect(prediction.kvHeldBytes(27)).toBe(27 * 4 * 2 * 2 * 16 * 4);
    expect(prediction.kvPeakBytes(27)).toBe(2 * 27 * 4 * 2 * 2 * 16 * 4); // past and present
  });

  it('charges WASM runs the f32 attention scores of a whole-prompt prefill', () => {
    const wasm = predictOrt(demoConfigJson(), 'fp32', 'wasm');
    const webgpu = predictOrt(demoConfigJson(), 'fp32', 'webgpu');
    const activationRow = (4 * 64 + 3 * 128) * 4; // hidden x 4 + FFN x 3, f32
    expect(webgpu.computeBytes(2000)).toBe(activationRow * 2000); // no 512-token cap
    // plus heads x prompt x context x f32 scores
    expect(wasm.computeBytes(2000)).toBe(activationRow * 2000 + 4 * 2000 * 2000 * 4);
  });

  it('predicts the WASM heap: 16 MiB floor, then 3 weight copies at load plus 9 MiB', () => {
    const demo = predictOrt(demoConfigJson(), 'fp32', 'wasm');
    expect(3 * 181_184 * 4 + 9 * 2 ** 20).toBeLessThan(16 * 2 ** 20); // 11.1 MiB
    expect(demo.wasmHeapAfterLoadBytes).toBe(16 * 2 ** 20);
    expect(demo.wasmHeapBytes(25)).toBe(16 * 2 ** 20);

    const shape = { ...DEMO_MODEL_SHAPE, hiddenSize: 512, heads: 8, kvHeads: 4, headDim: 64 };
    const wider = predictOrt(demoConfigJson({ ...shape, intermediateSize: 1536 }), 'fp32', 'wasm');
    // embed + head 2 x 259 x 512, per layer q,o 512x512, k,v 512x256, 3 x 512x1536, 2 norms
    const params = 2 * 259 * 512 + 4 * (2 * 512 * 512 + 2 * 512 * 256 + 3 * 512 * 1536 + 2 * 512);
    expect(wider.weightsBytes).toBe((params + 512) * 4);
    expect(wider.wasmHeapAfterLoadBytes).toBe(3 * wider.weightsBytes + 9 * 2 ** 20);
    // A 2,001-token prompt: weights, KV (past and present), compute and logits plus 9 MiB.
    const inHeap =
      wider.weightsBytes +
      wider.kvPeakBytes(2001) +
      wider.computeBytes(2001) +
      259 * 4 * 2001 +
      9 * 2 ** 20;
    expect(wider.wasmHeapBytes(2001)).toBe(inHeap);
  });

  it('ignores the derived keys transformers.js adds to a config', () => {
    const config = { ...demoConfigJson(), normalized_config: { num_heads: 2 } };
    expect(predictOrt(config, 'fp32', 'webgpu').weightsBytes).toBe(181_184 * 4);
  });
});
