// llama.cpp's row split keeps the input embedding whole on the host and no --fit margin;
// vLLM speeds say they rest on constants fitted to llama.cpp.

import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { findDevice, usableMemoryBytes } from '../../../lib/capacity/devices/catalogue.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';

const MIB = 2 ** 20;
const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');
const rowSplit = {
  model: llama8b,
  weights: 'Q4_K_M',
  engine: 'llama.cpp',
  gpus: 2,
  parallelism: 'tensor',
  devices: ['rtx-4090'],
} as const;

describe('llama.cpp row split (-sm row) over two GPUs', () => {
  it('keeps the whole input embedding in host memory, not half of it', () => {
    const embedding = weightBytes(llama8b, parseWeightScheme('Q4_K_M', 'weights')).embeddingBytes;
    // 128,256 rows x 4096 values at Q4_K (144 B per 256 values) = 295,501,824 B
    expect(embedding).toBe(((128_256 * 4096) / 256) * 144);
    const host = plan(rowSplit).memory.parts.find((p) => p.name === 'weights' && !p.onDevice);
    expect(host?.bytes).toBe(embedding);
  });

  it('keeps no --fit margin: --fit gives up under -sm row', () => {
    const usable = usableMemoryBytes(findDevice('rtx-4090'));
    // usable - 400 MiB CUDA context, no 1024 MiB --fit-target
    expect(plan(rowSplit).fit[0]?.budgetBytesPerDevice).toBe(usable - 400 * MIB);
    // one GPU keeps the margin: usable - 400 MiB - 1024 MiB
    const single = plan({ ...rowSplit, gpus: 1 });
    expect(single.fit[0]?.budgetBytesPerDevice).toBe(usable - 400 * MIB - 1024 * MIB);
  });
});

describe('vLLM speed provenance', () => {
  it('labels vLLM speeds as estimates from llama.cpp measurements, once per device class', () => {
    const result = plan({ model: llama8b, engine: 'vllm', devices: ['h100-sxm', 'h200'] });
    const notes = result.warnings.filter((w) => w.message.includes('derived from llama.cpp'));
    expect(notes).toHaveLength(1);
    expect(notes[0]?.data).toMatchObject({ engine: 'vllm', kind: 'datacenter-gpu' });
  });

  it('adds no such label under llama.cpp, whose rows the constants come from', () => {
    const result = plan({ model: llama8b, weights: 'Q4_K_M', engine: 'llama.cpp' });
    expect(result.warnings.some((w) => w.message.includes('derived from llama.cpp'))).toBe(false);
  });
});
