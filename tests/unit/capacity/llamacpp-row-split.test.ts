// llama.cpp's row split: whole layers (and their caches) per device, logits on the last one.
import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import { llamaCppLayerDevices } from '../../../lib/capacity/profiles/llamacpp-layers.ts';

function partBytes(result: ReturnType<typeof plan>, name: string): number | undefined {
  return result.memory.parts.find((part) => part.name === name && part.onDevice)?.bytes;
}

function rowSplit(id: string, gpus: number, contextTokens: number, weights = 'Q4_K_M') {
  return plan({
    model: catalogueSpec(id),
    engine: 'llama.cpp',
    weights,
    gpus,
    parallelism: 'tensor',
    contextTokens,
    devices: ['h100-sxm'],
  });
}

/** Layers each device holds, from a per-layer device list. */
function layersPerDevice(devices: number[], count: number): number[] {
  const held = new Array<number>(count).fill(0);
  for (const device of devices) held[device] = (held[device] ?? 0) + 1;
  return held;
}

describe('llama.cpp layer placement', () => {
  it('puts layer il on device floor(il x devices / (layers + 1))', () => {
    // 32 layers + output = 33 slots over 2 devices: layers 0-16 (16 x 2 / 33 < 1), then 17-31.
    expect(layersPerDevice(llamaCppLayerDevices(32, 2), 2)).toEqual([17, 15]);
    // over 4: layers 0-8, 9-16, 17-24, 25-31
    expect(layersPerDevice(llamaCppLayerDevices(32, 4), 4)).toEqual([9, 8, 8, 7]);
    // over 16: layers 0-2 on the first device, layer 31 alone (with the output) on the last
    const sixteen = layersPerDevice(llamaCppLayerDevices(32, 16), 16);
    expect(sixteen[0]).toBe(3);
    expect(sixteen[15]).toBe(1);
  });

  it('gives every layer a device, the last one only the output when layers are few', () => {
    for (const [layers, devices] of [
      [61, 8],
      [126, 3],
    ] as const) {
      const held = layersPerDevice(llamaCppLayerDevices(layers, devices), devices);
      expect(held.every((count) => count >= 1)).toBe(true);
      expect(held.reduce((sum, count) => sum + count, 0)).toBe(layers);
    }
    // 16 layers + output = 17 slots over 16 devices: layers 0 and 1 share device 0
    // (16 / 17 < 1) and the last device holds the output layer alone.
    const sixteen = layersPerDevice(llamaCppLayerDevices(16, 16), 16);
    expect(sixteen[0]).toBe(2);
    expect(sixteen[15]).toBe(0);
  });
});

describe('llama.cpp row split memory', () => {
  // Llama-3.1-8B: 8 KV heads x 128 x (K + V) x 2 bytes (f16) = 4,096 B per layer and token;
  // at 4,096 cells one layer holds 16,777,216 B, on whichever device the layer sits.
  const layerKv = 8 * 128 * 2 * 2 * 4096;

  it('keeps whole layers of GQA cache on a device instead of dividing heads', () => {
    // One GPU: 32 layers.
    expect(partBytes(rowSplit('meta-llama/Llama-3.1-8B', 1, 4096), 'kv')).toBe(32 * layerKv);
    // Two GPUs: device 0 holds 17 layers (411,056,128 B of cache and FFN-phase compute),
    // device 1 holds 15 and the logits phase (251,658,240 + 279,447,552 = 531,105,792 B):
    // device 1 is the busiest.
    const two = rowSplit('meta-llama/Llama-3.1-8B', 2, 4096);
    expect(partBytes(two, 'kv')).toBe(15 * layerKv); // 251,658,240
    expect(partBytes(two, 'compute')).toBe(279_447_552);
    // Four GPUs: the last device, 7 layers plus the logits.
    expect(partBytes(rowSplit('meta-llama/Llama-3.1-8B', 4, 4096), 'kv')).toBe(7 * layerKv);
    // Sixteen: the last device holds layer 31 only.
    expect(partBytes(rowSplit('meta-llama/Llama-3.1-8B', 16, 4096), 'kv')).toBe(layerKv);
  });

  it('sizes the compute buffer of the logits device as a single GPU does', () => {
    // Logits of a 512-token ubatch: 128,256 x 512 x 4 = 262,668,288 B, plus two hidden rows
    // 2 x 4,096 x 512 x 4 = 16,777,216 and 4 x 512 of output ids: 279,447,552 B.
    const single = rowSplit('meta-llama/Llama-3.1-8B', 1, 4096);
    expect(partBytes(single, 'compute')).toBe(262_668_288 + 16_777_216 + 2048);
  });

  it('keeps the MLA latent whole on each layer device (DeepSeek-V3 over 8 GPUs)', () => {
    // 61 layers + output over 8 devices: the last holds layers 55-60, six of them.
    // Latent 512 + rope key 64 = 576 elements x 2 bytes x 32,768 cells per layer.
    const result = rowSplit('deepseek-ai/DeepSeek-V3', 8, 32768);
    expect(partBytes(result, 'kv')).toBe(6 * 576 * 2 * 32768); // 226,492,416
  });

  it('places sliding and full layers with their own cell counts (Gemma-2-2B over 2 GPUs)', () => {
    // 26 layers + output over 2: the last device holds layers 14-25, 6 sliding and 6 full.
    // A layer row is 4 KV heads x 256 x (K + V) x 2 bytes = 4,096 B. Full layers keep 32,768
    // cells; sliding ones pad256(4,096 window + 512 ubatch) = 4,608.
    const result = rowSplit('google/gemma-2-2b', 2, 32768, 'Q8_0');
    expect(partBytes(result, 'kv')).toBe(6 * 32768 * 4096 + 6 * 4608 * 4096); // 918,552,576
  });

  it('keeps recurrent state with its layer (Mamba-2.8B over 2 GPUs)', () => {
    // 64 layers + output over 2: layers 33-63 (31 of them) sit with the logits.
    const single = partBytes(
      rowSplit('state-spaces/mamba-2.8b-hf', 1, 4096, 'Q8_0'),
      'recurrent_state',
    );
    const two = partBytes(
      rowSplit('state-spaces/mamba-2.8b-hf', 2, 4096, 'Q8_0'),
      'recurrent_state',
    );
    expect(single).toBe(24_903_680); // 64 layers x 389,120 B of F32 conv and SSM state
    expect(two).toBe(31 * 389_120); // 12,062,720
  });

  it('says where the split cache lives', () => {
    const source = rowSplit('meta-llama/Llama-3.1-8B', 2, 4096).memory.parts.find(
      (part) => part.name === 'kv',
    )?.source;
    expect(source).toContain('dev_layer');
  });
});
