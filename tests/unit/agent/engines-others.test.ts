import { afterEach, describe, expect, it } from 'vitest';

import { createEngineHttp } from '../../../agent/engines/http.ts';
import { readOllama } from '../../../agent/engines/ollama.ts';
import { readOpenAiCompatible } from '../../../agent/engines/openai-compat.ts';
import { readTgi } from '../../../agent/engines/tgi.ts';
import { readVllm } from '../../../agent/engines/vllm.ts';
import { startReplayServer } from '../../support/replay-server.ts';
import type { ReplayServer, Route } from '../../support/replay-server.ts';

const http = createEngineHttp({ timeoutMs: 2_000 });
const now = () => 5_000;
const TEXT = 'text/plain; version=0.0.4';
let server: ReplayServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(routes: Record<string, Route>): Promise<string> {
  server = await startReplayServer(routes);
  return server.baseUrl;
}

describe('readOllama', () => {
  it('reads a loaded model fully on the GPU from the documented /api/ps sample', async () => {
    const url = await serve({
      'GET /api/version': { file: 'ollama-version.json' },
      'GET /api/ps': { file: 'ollama-ps.json' },
      'GET /api/tags': { file: 'ollama-tags.json' },
      'POST /api/show': { file: 'ollama-show.json' },
    });

    const snapshot = await readOllama(http, url, now);

    expect(snapshot).toMatchObject({ engine: 'ollama', reachable: true, version: '0.5.1' });
    expect(snapshot.models).toEqual([
      {
        name: 'mistral:latest',
        contextTokens: null, // the docs sample has no context_length
        weightsBytes: null, // not among the tags
        kvBytes: null,
        totalBytes: 5137025024,
        deviceBytes: 5137025024,
        quantization: 'Q4_0',
        architecture: 'llama',
        parameterCount: 8030261248,
      },
    ]);
    expect(server?.bodies).toEqual(['{"model":"mistral:latest"}']);
  });

  it('shows a model spilling to host RAM with its size on disk as weights', async () => {
    const url = await serve({
      'GET /api/version': { file: 'ollama-version.json' },
      'GET /api/ps': { file: 'ollama-ps-spill.json' },
      'GET /api/tags': { file: 'ollama-tags.json' },
      'POST /api/show': { status: 500, body: '{"error":"boom"}' },
    });

    const snapshot = await readOllama(http, url, now);

    expect(snapshot.models[0]).toMatchObject({
      contextTokens: 8192,
      weightsBytes: 2019393189,
      totalBytes: 3825205248,
      deviceBytes: 2147483648, // 3825205248 - 2147483648 bytes spilled to the CPU
      architecture: 'llama', // details.family when /api/show fails
    });
  });

  it('reads an idle Ollama with no model loaded', async () => {
    const url = await serve({
      'GET /api/version': { file: 'ollama-version.json' },
      'GET /api/ps': { body: '{"models":[]}' },
    });

    const snapshot = await readOllama(http, url, now);

    expect(snapshot.models).toEqual([]);
    expect(server?.requests).toEqual(['GET /api/version', 'GET /api/ps']);
  });
});

describe('readVllm', () => {
  it('reads current metric names, KV capacity from cache_config_info and /v1/models', async () => {
    const url = await serve({
      'GET /metrics': { file: 'vllm-metrics-current.txt', contentType: TEXT },
      'GET /v1/models': { file: 'vllm-models.json' },
      'GET /version': { body: '{"version":"0.11.0"}' },
    });

    const snapshot = await readVllm(http, url, now);

    expect(snapshot).toMatchObject({
      version: '0.11.0',
      requestsRunning: 3,
      requestsWaiting: 1,
      kvUsageRatio: 0.125,
      kvCapacityTokens: 8192 * 16, // num_gpu_blocks x block_size
      kvUsedTokens: 0.125 * 8192 * 16,
      promptTokensTotal: 12000,
      generatedTokensTotal: 3400,
    });
    expect(snapshot.models).toEqual([
      expect.objectContaining({ name: 'Qwen/Qwen2.5-7B-Instruct', contextTokens: 32768 }),
    ]);
  });

  it('reads the older gpu_cache_usage_perc name of vLLM before 0.9.2', async () => {
    const url = await serve({
      'GET /metrics': { file: 'vllm-metrics-0.8.txt', contentType: TEXT },
    });

    const snapshot = await readVllm(http, url, now);

    expect(snapshot).toMatchObject({
      kvUsageRatio: 0.5,
      kvCapacityTokens: 13033 * 16,
      requestsRunning: 2,
      generatedTokensTotal: 128,
    });
    expect(snapshot.models.map((model) => model.name)).toEqual(['unsloth/Llama-3.2-1B-Instruct']);
  });

  it('drops NaN, negative and percent-looking values and keeps the good ones', async () => {
    const url = await serve({
      'GET /metrics': { file: 'vllm-metrics-garbage.txt', contentType: TEXT },
    });

    const snapshot = await readVllm(http, url, now);

    expect(snapshot).toMatchObject({
      requestsRunning: null, // NaN is skipped by the parser
      requestsWaiting: null, // -3
      kvUsageRatio: null, // 57 is not a fraction
      generatedTokensTotal: null, // malformed line
      promptTokensTotal: 100,
    });
    expect(snapshot.warnings.map((warning) => warning.code)).toContain('value_out_of_range');
  });
});

describe('readTgi', () => {
  it('reads the TGI 1.2.0 /info sample and batch metrics', async () => {
    const url = await serve({
      'GET /info': { file: 'tgi-info.json' },
      'GET /metrics': { file: 'tgi-metrics.txt', contentType: TEXT },
    });

    const snapshot = await readTgi(http, url, now);

    expect(snapshot).toMatchObject({
      version: '1.2.0',
      parallelSequences: 128,
      kvCapacityTokens: 47920, // max_batch_total_tokens
      kvUsedTokens: 11980,
      kvUsageRatio: 11980 / 47920, // 0.25
      requestsRunning: 4,
      requestsWaiting: 2,
      generatedTokensTotal: 5120,
      promptTokensTotal: 20480,
    });
    expect(snapshot.models).toEqual([
      expect.objectContaining({ name: 'mistralai/Mistral-7B-Instruct-v0.1', contextTokens: 2048 }),
    ]);
  });
});

describe('readOpenAiCompatible', () => {
  it('lists only the loaded models of mistral.rs', async () => {
    const url = await serve({
      'GET /v1/models': { file: 'mistralrs-models.json' },
      'GET /health': { body: 'OK', contentType: 'text/plain' },
    });

    const snapshot = await readOpenAiCompatible('mistral.rs', http, url, now);

    expect(snapshot.models.map((model) => model.name)).toEqual(['Qwen/Qwen3-4B']);
    expect(snapshot.warnings).toEqual([]);
  });

  it('lists the models of mlx-lm', async () => {
    const url = await serve({
      'GET /v1/models': { file: 'mlx-lm-models.json' },
      'GET /health': { file: 'mlx-lm-health.json' },
    });

    const snapshot = await readOpenAiCompatible('mlx-lm', http, url, now);

    expect(snapshot).toMatchObject({ engine: 'mlx-lm', reachable: true, kvUsageRatio: null });
    expect(snapshot.models.map((model) => model.name)).toEqual([
      'mlx-community/Llama-3.2-1B-Instruct-4bit',
    ]);
  });
});
