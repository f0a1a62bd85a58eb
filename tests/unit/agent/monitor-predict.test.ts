import { describe, expect, it } from 'vitest';

import type { EngineTarget } from '../../../agent/engines/discover.ts';
import { emptyModel, emptySnapshot } from '../../../agent/engines/types.ts';
import type { EngineSnapshot } from '../../../agent/engines/types.ts';
import { silentLogger } from '../../../agent/log.ts';
import { createMonitor } from '../../../agent/monitor.ts';
import { catalogueNames, predictEngineModels } from '../../../agent/predict.ts';
import type { DeviceInventory, ProbedDevice } from '../../../agent/probes/types.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';

function inventory(devices: ProbedDevice[] = []): DeviceInventory {
  return {
    host: {
      hostname: 'h',
      platform: 'linux',
      arch: 'x64',
      cpuModel: null,
      cpuThreads: null,
      cpuPhysicalCores: null,
      memoryTotalBytes: null,
      memoryAvailableBytes: null,
      source: 'proc-meminfo',
    },
    devices,
    warnings: [],
    capturedAtMs: 0,
  };
}

function gpu(catalogueId: string | null): ProbedDevice {
  return {
    vendor: 'nvidia',
    index: 0,
    name: 'NVIDIA H100 80GB HBM3',
    uuid: null,
    memoryTotalBytes: 81559 * 2 ** 20,
    memoryUsedBytes: null,
    memoryFreeBytes: null,
    usableMemoryBytes: null,
    unifiedMemory: false,
    utilizationPercent: null,
    powerWatts: null,
    temperatureC: null,
    pcieGeneration: null,
    gpuCores: null,
    migEnabled: false,
    migInstances: [],
    catalogueId,
    source: 'nvidia-smi',
  };
}

function vllmServing(name: string, contextTokens: number | null): EngineSnapshot {
  return {
    ...emptySnapshot('vllm', 'http://127.0.0.1:8000', 0),
    models: [{ ...emptyModel(name), contextTokens }],
  };
}

describe('predictEngineModels', () => {
  it('plans a served hub model found in the catalogue under its instruct alias', () => {
    const [prediction] = predictEngineModels(
      [vllmServing('Qwen/Qwen2.5-7B-Instruct', 32768)],
      inventory([gpu('h100-sxm')]),
    );
    const expected = plan({
      model: catalogueSpec('Qwen/Qwen2.5-7B'),
      engine: 'vllm',
      contextTokens: 32768,
      batch: 1,
      devices: ['h100-sxm'],
    });

    expect(prediction).toEqual({
      engineBaseUrl: 'http://127.0.0.1:8000',
      model: 'Qwen/Qwen2.5-7B-Instruct',
      catalogueModel: 'Qwen/Qwen2.5-7B',
      contextTokens: 32768,
      totalBytes: expected.memory.perDeviceBytes,
      weightsBytes: expected.memory.weightsBytes,
      kvBytes: expected.memory.kvBytes,
    });
    expect(prediction?.weightsBytes).toBe(7_615_616_512 * 2); // parameters x bf16
  });

  it.each([
    ['a model outside the catalogue', vllmServing('acme/secret-model', 4096)],
    ['a model without a known context', vllmServing('Qwen/Qwen2.5-7B-Instruct', null)],
    [
      'an engine without a memory profile',
      { ...vllmServing('Qwen/Qwen2.5-7B-Instruct', 4096), engine: 'tgi' as const },
    ],
  ])('predicts nothing for %s', (_label, snapshot) => {
    expect(predictEngineModels([snapshot], inventory())).toEqual([]);
  });

  it('tries the name without organisation and Ollama tag', () => {
    expect(catalogueNames('library/qwen3-8b:latest')).toEqual([
      'library/qwen3-8b:latest',
      'qwen3-8b:latest',
      'qwen3-8b',
    ]);
  });
});

describe('createMonitor', () => {
  function counting(totals: number[]) {
    const target: EngineTarget = { engine: 'vllm', baseUrl: 'http://127.0.0.1:8000' };
    let reads = 0;
    let searches = 0;
    let clock = 0;
    const monitor = createMonitor({
      probe: () => Promise.resolve(inventory()),
      discover: () => {
        searches += 1;
        return Promise.resolve([target]);
      },
      read: () => {
        const total = totals[reads] ?? 0;
        reads += 1;
        return Promise.resolve({
          ...emptySnapshot('vllm', target.baseUrl, (clock += 1000)),
          generatedTokensTotal: total,
        });
      },
      predict: () => {
        throw new Error('planner broke');
      },
      now: () => clock,
      logger: silentLogger(),
      rediscoverEvery: 3,
    });
    return { monitor, searches: () => searches };
  }

  it('turns token counters into a rate between samples', async () => {
    const { monitor } = counting([100, 350]);

    await monitor.sample();
    const second = await monitor.sample();

    expect(second.engines[0]?.generationTokensPerSecond).toBe(250); // 250 tokens in 1 s
  });

  it('searches for engines on the first sample and every third after', async () => {
    const { monitor, searches } = counting([1, 2, 3, 4, 5, 6, 7]);

    for (let i = 0; i < 7; i += 1) await monitor.sample();

    expect(searches()).toBe(3); // samples 1, 4 and 7
  });

  it('still samples when the predictor throws', async () => {
    const { monitor } = counting([1]);

    const frame = await monitor.sample();

    expect(frame.predictions).toEqual([]);
    expect(frame.engines).toHaveLength(1);
  });
});
