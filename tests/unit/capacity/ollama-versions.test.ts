// Ollama by release: flash-attention defaults, reserves, num_ctx clamp and inline vision towers.

import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { findDevice, usableMemoryBytes } from '../../../lib/capacity/devices/catalogue.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { plan, preparePlan } from '../../../lib/capacity/plan.ts';
import { OLLAMA_DEFAULTS, ollamaFlash } from '../../../lib/capacity/profiles/ollama.ts';
import { ollamaRunner } from '../../../lib/capacity/profiles/ollama-versions.ts';

const MIB = 2 ** 20;
const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');
const qwen3 = catalogueSpec('Qwen/Qwen3-8B');
const ollama013 = { ...OLLAMA_DEFAULTS, version: '0.13' };
const rtx4090Usable = usableMemoryBytes(findDevice('rtx-4090'));

function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    if (error instanceof CapacityError) return error;
  }
  throw new Error('expected a CapacityError');
}

describe('Ollama releases', () => {
  it.each([
    ['0.12', 'own-runners'],
    ['0.13.1', 'own-runners'],
    ['0.29', 'own-runners'],
    ['0.30', 'llama-server'],
    ['0.32', 'llama-server'],
  ])('runs %s on %s', (version, runner) => {
    expect(ollamaRunner(version)).toBe(runner);
  });

  it('defaults to the current llama-server release', () => {
    expect(OLLAMA_DEFAULTS.version).toBe('0.32');
    expect(OLLAMA_DEFAULTS.flashAttention).toBeNull();
  });

  it('refuses releases before 0.12 and text that is not a version, naming engine.version', () => {
    const old = capacityError(() => ollamaRunner('0.11'));
    expect(old.field).toBe('engine.version');
    expect(old.expected).toBe('Ollama 0.12 or later');
    expect(capacityError(() => ollamaRunner('latest')).code).toBe('invalid_field');
  });
});

describe('Ollama 0.13 flash attention by architecture', () => {
  it('runs llama on the llama.cpp runner with flash attention auto but drops a q8_0 cache', () => {
    expect(ollamaFlash(ollama013, llama8b)).toMatchObject({
      flashAttention: true,
      quantizedKv: false,
    });
    const result = plan({
      model: llama8b,
      weights: 'Q4_K_M',
      kv: 'q8_0',
      engine: ollama013,
      contextTokens: 4096,
    });
    // 32 layers x (8 KV heads x 128) x 2 (K and V) x 2 B of f16 = 131,072 B per token
    expect(result.kv.bytesPerToken).toBe(32 * 1024 * 2 * 2);
    const warning = result.warnings.find((w) => w.code === 'kv_dtype_unsupported');
    expect(warning?.message).toContain('OLLAMA_FLASH_ATTENTION must be enabled');
  });

  it('keeps the q8_0 cache on the llama.cpp runner once OLLAMA_FLASH_ATTENTION=1', () => {
    const result = plan({
      model: llama8b,
      weights: 'Q4_K_M',
      kv: 'q8_0',
      engine: { ...ollama013, flashAttention: true },
    });
    // 32 layers x 2048 values x 34/32 B per q8_0 value = 69,632 B per token
    expect(result.kv.bytesPerToken).toBe(32 * 2048 * (34 / 32));
  });

  it("turns flash attention on for qwen3 from its own engine's architecture list", () => {
    expect(ollamaFlash(ollama013, qwen3)).toMatchObject({
      flashAttention: true,
      quantizedKv: true,
    });
    const result = plan({ model: qwen3, weights: 'Q4_K_M', kv: 'q8_0', engine: ollama013 });
    expect(result.settings.kv).toBe('q8_0');
  });

  it('keeps flash attention off for an own-engine model OLLAMA_FLASH_ATTENTION=0 turns off', () => {
    const off = { ...ollama013, flashAttention: false };
    expect(ollamaFlash(off, qwen3)).toMatchObject({ flashAttention: false, quantizedKv: false });
  });

  it('passes a quantized cache to llama-server in the current release (--flash-attn auto)', () => {
    expect(ollamaFlash(OLLAMA_DEFAULTS, llama8b)).toMatchObject({ quantizedKv: true });
    const result = plan({ model: llama8b, weights: 'Q4_K_M', kv: 'q8_0', engine: 'ollama' });
    expect(result.settings.kv).toBe('q8_0');
  });
});

describe('Ollama reserves per release', () => {
  it("counts 0.13's 457 MiB minimum once and takes no CUDA context off the budget", () => {
    const prepared = preparePlan({
      model: llama8b,
      weights: 'Q4_K_M',
      engine: ollama013,
      devices: ['rtx-4090'],
    });
    expect(prepared.budgetBytes).toEqual([rtx4090Usable]);
    const result = plan({
      model: llama8b,
      weights: 'Q4_K_M',
      engine: ollama013,
      devices: ['rtx-4090'],
    });
    const runtime = result.memory.parts.find((part) => part.name === 'runtime');
    expect(runtime?.bytes).toBe(457 * MIB);
  });

  it('keeps max(1024 MiB, OLLAMA_GPU_OVERHEAD) free under llama-server, and no runtime part', () => {
    const budget = (gpuOverheadBytes: number) =>
      preparePlan({
        model: llama8b,
        weights: 'Q4_K_M',
        engine: { ...OLLAMA_DEFAULTS, gpuOverheadBytes },
        devices: ['rtx-4090'],
      }).budgetBytes[0];
    // usable - 400 MiB CUDA context - 1024 MiB --fit-target
    expect(budget(0)).toBe(rtx4090Usable - 400 * MIB - 1024 * MIB);
    // an overhead of 2048 MiB raises the fit target: usable - 400 MiB - 2048 MiB
    expect(budget(2048 * MIB)).toBe(rtx4090Usable - 400 * MIB - 2048 * MIB);
    const result = plan({ model: llama8b, weights: 'Q4_K_M', engine: 'ollama' });
    expect(result.memory.overheadBytes).toBe(0);
  });
});

describe("Ollama's num_ctx clamp", () => {
  const llama2 = catalogueSpec('meta-llama/Llama-2-7b-hf');

  it('sizes llama-2-7b at its trained 4096 tokens when 16384 are asked, with a note', () => {
    const result = plan({
      model: llama2,
      weights: 'Q4_K_M',
      engine: 'ollama',
      contextTokens: 16384,
      devices: ['rtx-4090'],
    });
    expect(result.settings.contextTokens).toBe(4096);
    // 32 layers x 4096 (32 heads x 128) x 2 (K and V) x 2 B = 524,288 B per token;
    // x 4096 cells = 2 GiB, not the 8 GiB of 16384 cells
    expect(result.memory.kvBytes).toBe(524_288 * 4096);
    const note = result.warnings.find((w) => w.message.includes('lowers num_ctx'));
    expect(note?.data).toEqual({
      contextTokens: 16384,
      maxPositionTokens: 4096,
      plannedTokens: 4096,
    });
  });

  it('leaves llama.cpp at the asked context (it runs past the trained length, warning)', () => {
    const result = plan({
      model: llama2,
      weights: 'Q4_K_M',
      engine: 'llama.cpp',
      contextTokens: 16384,
      devices: ['rtx-4090'],
    });
    expect(result.settings.contextTokens).toBe(16384);
    // 524,288 B per token x 16384 cells = 8 GiB
    expect(result.memory.kvBytes).toBe(524_288 * 16384);
  });
});

describe("Ollama's inline vision tower", () => {
  const gemma27b = catalogueSpec('google/gemma-3-27b-it');
  const weightsOf = (engine: 'ollama' | 'llama.cpp') =>
    plan({ model: gemma27b, weights: 'Q4_K_M', engine, contextTokens: 4096 }).memory.parts.find(
      (part) => part.name === 'weights' && part.onDevice,
    )?.bytes ?? 0;

  it("loads gemma3's tower from the blob: the device holds it beside llama.cpp's weights", () => {
    // SigLIP tower and projector: 423,060,336 values x 2 B (F16) = 846,120,672 B
    expect(weightsOf('ollama') - weightsOf('llama.cpp')).toBe(423_060_336 * 2);
    const result = plan({ model: gemma27b, weights: 'Q4_K_M', engine: 'ollama' });
    const notes = result.warnings.filter((w) => w.code === 'vision_tower_estimated');
    expect(notes.map((note) => note.data)).toEqual([{ counted: true, visionBytes: 846_120_672 }]);
  });

  it('adds nothing for a text-only model', () => {
    const result = preparePlan({ model: llama8b, weights: 'Q4_K_M', engine: 'ollama' });
    expect(result.inlineVisionBytes).toBe(0);
  });
});
