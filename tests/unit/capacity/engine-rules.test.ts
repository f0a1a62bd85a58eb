// Engine rules a domain review found missing: cache types without flash attention, reserves,
// vLLM's limits (max_model_len, max_num_seqs, --dtype auto, MXFP4 padding), GGUF mmproj towers.

import { describe, expect, it } from 'vitest';

import { catalogueSpec, findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { findDevice } from '../../../lib/capacity/devices/catalogue.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { plan, preparePlan } from '../../../lib/capacity/plan.ts';
import { CUDA_CONTEXT_BYTES, LLAMACPP_DEFAULTS } from '../../../lib/capacity/profiles/llamacpp.ts';
import { OLLAMA_DEFAULTS, ollamaFlashAttention } from '../../../lib/capacity/profiles/ollama.ts';
import {
  VLLM_DEFAULT_MAX_MODEL_LEN,
  vllmMaxModelLen,
  vllmMaxNumSeqs,
} from '../../../lib/capacity/profiles/vllm-limits.ts';
import { mxfp4ExpertPaddingBytes, VLLM_DEFAULTS } from '../../../lib/capacity/profiles/vllm.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');

function configWith(id: string, overrides: Record<string, unknown>, drop: string[] = []) {
  const config: Record<string, unknown> = { ...findCatalogueModel(id).config, ...overrides };
  for (const key of drop) delete config[key];
  return parseHfConfig(config);
}

describe('quantized KV caches without flash attention', () => {
  it('refuses a q8_0 cache under llama.cpp with flash attention off, naming the kv field', () => {
    const request = {
      model: llama8b,
      weights: 'Q4_K_M',
      kv: 'q8_0',
      engine: { ...LLAMACPP_DEFAULTS, flashAttention: false },
    };
    expect(() => plan(request)).toThrow(CapacityError);
    try {
      plan(request);
    } catch (error) {
      expect((error as CapacityError).field).toBe('kv');
      expect((error as CapacityError).message).toContain('V cache quantization requires');
    }
  });

  it('keeps q8_0 under llama.cpp with flash attention on (-fa auto)', () => {
    const result = plan({ model: llama8b, weights: 'Q4_K_M', kv: 'q8_0', engine: 'llama.cpp' });
    expect(result.settings.kv).toBe('q8_0');
    // 32 layers x (1024 K + 1024 V) values x 34/32 bytes per q8_0 value = 69,632 B per token
    expect(result.kv.bytesPerToken).toBe(32 * 2048 * (34 / 32));
  });

  it('plans Ollama with an f16 cache and a warning when flash attention is off', () => {
    const result = plan({
      model: llama8b,
      weights: 'Q4_K_M',
      kv: 'q8_0',
      engine: { ...OLLAMA_DEFAULTS, flashAttention: false },
      contextTokens: 4096,
    });
    expect(result.settings.kv).toBe('f16');
    // 32 layers x 2048 values x 2 B = 131,072 B per token, not q8_0's 69,632
    expect(result.kv.bytesPerToken).toBe(131_072);
    const warning = result.warnings.find((w) => w.code === 'kv_dtype_unsupported');
    expect(warning?.data).toEqual({ requested: 'q8_0', used: 'f16', engine: 'ollama' });
  });

  it("keeps Ollama's q8_0 cache with its default flash attention on", () => {
    const result = plan({ model: llama8b, weights: 'Q4_K_M', kv: 'q8_0', engine: 'ollama' });
    expect(result.settings.kv).toBe('q8_0');
  });

  it('follows Ollama 0.13: no flash attention for MLA models on its own engine', () => {
    const ollama013 = { ...OLLAMA_DEFAULTS, version: '0.13' };
    expect(ollamaFlashAttention(ollama013, llama8b)).toBe(true);
    expect(ollamaFlashAttention(ollama013, catalogueSpec('deepseek-ai/DeepSeek-V3'))).toBe(false);
  });
});

describe('llama.cpp and Ollama reserves on NVIDIA', () => {
  const rtx4090 = findDevice('rtx-4090');
  const usable = rtx4090.memoryBytes;

  it('takes the CUDA context and the 1 GiB --fit margin off the llama.cpp budget', () => {
    const prepared = preparePlan({ model: llama8b, weights: 'Q4_K_M', engine: 'llama.cpp' });
    // usable - 400 MiB CUDA context (estimate) - 1024 MiB --fit-target
    expect(prepared.budgetBytes).toEqual([usable - 400 * MIB - 1024 * MIB, expect.any(Number)]);
    expect(CUDA_CONTEXT_BYTES).toBe(400 * MIB);
  });

  it('gives the whole margin back with --fit off (fitTargetBytes 0)', () => {
    const prepared = preparePlan({
      model: llama8b,
      weights: 'Q4_K_M',
      engine: { ...LLAMACPP_DEFAULTS, fitTargetBytes: 0 },
      devices: ['rtx-4090'],
    });
    expect(prepared.budgetBytes).toEqual([usable - 400 * MIB]);
  });

  it('keeps no CUDA context on Apple devices', () => {
    const mac = findDevice('m4-max-128gb');
    const prepared = preparePlan({
      model: llama8b,
      weights: 'Q4_K_M',
      engine: 'llama.cpp',
      devices: [mac.id],
    });
    const macUsable = Math.floor(mac.memoryBytes * mac.usableMemoryShare);
    expect(prepared.budgetBytes).toEqual([macUsable - 1024 * MIB]);
  });

  it('takes the CUDA context and the --fit margin off the current Ollama budget', () => {
    const prepared = preparePlan({
      model: llama8b,
      weights: 'Q4_K_M',
      engine: 'ollama',
      devices: ['rtx-4090'],
    });
    // llama-server releases: usable - 400 MiB CUDA context - 1024 MiB --fit-target
    expect(prepared.budgetBytes).toEqual([usable - 400 * MIB - 1024 * MIB]);
  });
});

describe("vLLM's derived max_model_len", () => {
  it('takes the smallest length key, n_positions for gpt2', () => {
    expect(vllmMaxModelLen(catalogueSpec('gpt2'))).toEqual({
      tokens: 1024,
      derivedFrom: 'n_positions',
    });
  });

  it('derives no length when neither the config nor its class states one (Mamba)', () => {
    const mamba = catalogueSpec('state-spaces/mamba-2.8b-hf');
    expect(vllmMaxModelLen(mamba)).toBeNull();
    const planned = plan({ model: mamba, engine: 'vllm' }).settings.contextTokens;
    expect(planned).toBe(VLLM_DEFAULT_MAX_MODEL_LEN); // vLLM's 2048 when no --max-model-len
  });

  it("takes the config class's default when config.json leaves the key out (Falcon)", () => {
    expect(vllmMaxModelLen(catalogueSpec('tiiuae/falcon-7b'))).toEqual({
      tokens: 2048, // FalconConfig max_position_embeddings default
      derivedFrom: 'max_position_embeddings (config default)',
    });
  });

  it('multiplies by a linear rope factor, but not llama3 scaling', () => {
    const linear = configWith('meta-llama/Llama-3.1-8B', {
      max_position_embeddings: 4096,
      rope_scaling: { rope_type: 'linear', factor: 4 },
    });
    expect(vllmMaxModelLen(linear)?.tokens).toBe(16_384); // 4096 x 4
    const llama3 = configWith('meta-llama/Llama-3.1-8B', {
      rope_scaling: { rope_type: 'llama3', factor: 8, original_max_position_embeddings: 8192 },
    });
    expect(vllmMaxModelLen(llama3)?.tokens).toBe(131_072); // max_position_embeddings as is
  });

  it('scales yarn from original_max_position_embeddings', () => {
    const yarn = configWith('meta-llama/Llama-3.1-8B', {
      max_position_embeddings: 32_768,
      rope_scaling: { rope_type: 'yarn', factor: 4, original_max_position_embeddings: 32_768 },
    });
    expect(vllmMaxModelLen(yarn)).toEqual({
      tokens: 131_072, // 32,768 x 4
      derivedFrom: 'original_max_position_embeddings x 4 (yarn)',
    });
  });

  it('says gpt2 at 4096 tokens does not start under vLLM, and caps max context at 1024', () => {
    const result = plan({
      model: catalogueSpec('gpt2'),
      engine: 'vllm',
      contextTokens: 4096,
      devices: ['h100-sxm'],
    });
    const fit = result.fit[0]!;
    expect(fit.fits).toBe(false);
    expect(fit.marginBytes).toBeGreaterThan(0);
    expect(fit.refusal).toContain('does not start');
    expect(fit.maxContext).toEqual({ tokens: 1024, limitedBy: 'model' });
  });

  it('starts with VLLM_ALLOW_LONG_MAX_MODEL_LEN=1', () => {
    const result = plan({
      model: catalogueSpec('gpt2'),
      engine: { ...VLLM_DEFAULTS, allowLongMaxModelLen: true },
      contextTokens: 4096,
      devices: ['h100-sxm'],
    });
    expect(result.fit[0]!.fits).toBe(true);
    expect(result.fit[0]!.refusal).toBeNull();
  });

  it('lets llama.cpp run gpt2 past its 1024 positions with a warning', () => {
    const result = plan({
      model: catalogueSpec('gpt2'),
      weights: 'Q8_0',
      engine: 'llama.cpp',
      contextTokens: 4096,
      devices: ['h100-sxm'],
    });
    expect(result.fit[0]!.fits).toBe(true);
    expect(result.warnings.map((w) => w.code)).toContain('context_above_model_limit');
  });
});

describe("vLLM's --max-num-seqs", () => {
  it('defaults to 1024 on GPUs of 70 GiB or more but the A100, else 256', () => {
    expect(vllmMaxNumSeqs(VLLM_DEFAULTS, findDevice('h200'))).toBe(1024);
    expect(vllmMaxNumSeqs(VLLM_DEFAULTS, findDevice('a100-80gb-sxm'))).toBe(256);
    expect(vllmMaxNumSeqs(VLLM_DEFAULTS, findDevice('rtx-4090'))).toBe(256);
    expect(vllmMaxNumSeqs({ ...VLLM_DEFAULTS, maxNumSeqs: 48 }, findDevice('h200'))).toBe(48);
  });

  it('caps max concurrency and says so when the cap, not memory, limits', () => {
    const request = {
      model: catalogueSpec('Qwen/Qwen3-0.6B'),
      engine: 'vllm' as const,
      contextTokens: 2048,
      devices: ['a100-80gb-sxm'],
    };
    const capped = plan(request).fit[0]!;
    expect(capped.maxConcurrency).toBe(256);
    expect(capped.maxConcurrencyLimitedBy).toBe('max_num_seqs');

    const memory = plan({ ...request, engine: { ...VLLM_DEFAULTS, maxNumSeqs: 100_000 } });
    expect(memory.fit[0]!.maxConcurrency).toBeGreaterThan(256);
    expect(memory.fit[0]!.maxConcurrencyLimitedBy).toBe('memory');
  });

  it('warns that sequences beyond the cap wait', () => {
    const result = plan({
      model: catalogueSpec('Qwen/Qwen3-0.6B'),
      engine: { ...VLLM_DEFAULTS, maxNumSeqs: 64 },
      contextTokens: 2048,
      batch: 100,
      devices: ['h200'],
    });
    const warning = result.warnings.find((w) => w.data?.maxNumSeqs === 64);
    expect(warning?.message).toContain('the other 36 wait'); // 100 - 64
  });
});

describe("vLLM's --dtype auto for float32 checkpoints", () => {
  const mamba = catalogueSpec('state-spaces/mamba-2.8b-hf');

  it('plans a float32 checkpoint as bf16 under vLLM 0.11, and says so', () => {
    const result = plan({ model: mamba, engine: 'vllm', devices: ['h100-sxm'] });
    const f32 = weightBytes(mamba, parseWeightScheme('f32')).totalBytes;
    expect(result.settings.weights).toBe('bf16');
    expect(result.memory.weightsBytes).toBe(f32 / 2); // 4 bytes per value become 2
    expect(result.warnings.some((w) => w.data?.loadedDtype === 'bf16')).toBe(true);
  });

  it('uses f16 before vLLM 0.9, and float32 when asked for', () => {
    const old = plan({ model: mamba, engine: { ...VLLM_DEFAULTS, version: '0.8' } });
    expect(old.settings.weights).toBe('f16');
    const asked = plan({ model: mamba, engine: 'vllm', weights: 'f32' });
    expect(asked.settings.weights).toBe('f32');
  });

  it('keeps float32 under transformers.js, which runs it as stored', () => {
    const result = plan({ model: mamba, engine: 'transformers.js' });
    expect(result.settings.weights).toBe('f32');
  });
});

describe("vLLM's MXFP4 MoE padding (gpt-oss)", () => {
  const gptOss = catalogueSpec('openai/gpt-oss-120b');

  it('pads the 2880 x 2880 experts to 2944 x 3072 as the Marlin layout does', () => {
    // per layer and expert: 3 x (2944 x 3072 - 2880 x 2880) values = 3 x 749,568 = 2,248,704
    // x 17/32 B = 1,194,624 B; x 128 experts x 36 layers (4608) = 5,504,827,392 B
    expect(mxfp4ExpertPaddingBytes(gptOss, 1)).toBe(5_504_827_392);
  });

  it('puts gpt-oss-120b weights at about the 65.97 GiB vLLM logged on an H100', () => {
    const result = plan({ model: gptOss, weights: 'mxfp4', engine: 'vllm', devices: ['h100-sxm'] });
    const weights = result.memory.parts.find((part) => part.name === 'weights')!;
    expect(weights.provenance).toBe('estimate');
    expect(Math.abs(weights.bytes / GIB - 65.97)).toBeLessThan(0.2);
  });
});

describe('GGUF plans leave the vision tower in its mmproj file', () => {
  it('sizes gemma-3-27b Q4_K_M text-only near the 16.5 GB file', () => {
    const spec = catalogueSpec('google/gemma-3-27b-it');
    const weights = weightBytes(spec, parseWeightScheme('Q4_K_M'));
    expect(Math.abs(weights.totalBytes / 1e9 - 16.5)).toBeLessThan(0.1);
    expect(weights.byGroup.vision).toBeGreaterThan(0);
    expect(weights.warnings.some((w) => w.message.includes('--mmproj'))).toBe(true);
  });

  it('still counts the tower for a bf16 checkpoint', () => {
    const spec = catalogueSpec('google/gemma-3-27b-it');
    const bf16 = weightBytes(spec, parseWeightScheme('bf16'));
    const everyTensor = bf16.tensors.reduce((sum, tensor) => sum + tensor.bytes, 0);
    expect(bf16.byGroup.vision).toBeGreaterThan(0);
    expect(bf16.totalBytes).toBe(everyTensor); // gemma-3 has no MTP layers: all of it counts
  });
});
