import { describe, expect, it } from 'vitest';

import type { TelemetryFrame } from '../../../agent/protocol.ts';
import {
  agentUrlProblem,
  closeMessage,
  memorySeries,
  parsePairingFragment,
} from '../../../app/fleet/_parts/fleet-data.ts';

const GIB = 2 ** 30;

function frame(atMs: number, options: { gpuUsed?: number; predicted?: number } = {}) {
  const gpu = {
    vendor: 'nvidia' as const,
    index: 1,
    name: 'NVIDIA L4',
    uuid: null,
    memoryTotalBytes: 24 * GIB,
    memoryUsedBytes: options.gpuUsed ?? null,
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
    catalogueId: 'l4',
    source: 'nvidia-smi' as const,
  };
  const result: TelemetryFrame = {
    capturedAtMs: atMs,
    inventory: {
      host: {
        hostname: 'h',
        platform: 'linux',
        arch: 'x64',
        cpuModel: null,
        cpuThreads: null,
        cpuPhysicalCores: null,
        memoryTotalBytes: 16 * GIB,
        memoryAvailableBytes: 10 * GIB,
        source: 'proc-meminfo',
      },
      devices: options.gpuUsed === undefined ? [] : [gpu],
      warnings: [],
      capturedAtMs: atMs,
    },
    engines: [],
    predictions:
      options.predicted === undefined
        ? []
        : [
            {
              engineBaseUrl: 'http://127.0.0.1:8000',
              model: 'm',
              catalogueModel: 'm',
              contextTokens: 4096,
              totalBytes: options.predicted,
              weightsBytes: 0,
              kvBytes: 0,
            },
          ],
  };
  return result;
}

describe('memorySeries', () => {
  it('plots host RAM in use (total - available) when no GPU reports memory', () => {
    const series = memorySeries([frame(1_000), frame(3_000)]);

    expect(series).toEqual({
      label: 'host RAM in use (GiB)',
      seconds: [0, 2],
      usedGiB: [6, 6], // 16 GiB - 10 GiB available
      predictedGiB: [null, null],
      hasPrediction: false,
    });
  });

  it('plots the first GPU that reports memory, with the prediction line', () => {
    const series = memorySeries([
      frame(0, { gpuUsed: 3 * GIB, predicted: 5 * GIB }),
      frame(500, { gpuUsed: 4 * GIB, predicted: 5 * GIB }),
    ]);

    expect(series.label).toBe('GPU 1 memory in use (GiB)');
    expect(series.usedGiB).toEqual([3, 4]);
    expect(series.predictedGiB).toEqual([5, 5]);
    expect(series.hasPrediction).toBe(true);
  });
});

describe('fleet page helpers', () => {
  it('reads the agent URL and token from a pairing fragment', () => {
    const hash = '#agent=ws%3A%2F%2F127.0.0.1%3A7420%2Fagent&token=abc';

    expect(parsePairingFragment(hash)).toEqual({ url: 'ws://127.0.0.1:7420/agent', token: 'abc' });
    expect(parsePairingFragment('#token=abc')).toBeNull();
  });

  it.each([
    ['ws://127.0.0.1:7420/agent', null],
    ['wss://agent.example/agent', null],
    ['http://127.0.0.1:7420/agent', 'The agent address starts with ws://'],
    ['127.0.0.1:7420', 'The agent address is not a URL'],
    ['not a url', 'The agent address is not a URL'],
  ])('agentUrlProblem(%s)', (url, expected) => {
    const problem = agentUrlProblem(url);

    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toContain(expected);
  });

  it.each([
    [4401, true, 'refused the pairing token'],
    [4403, true, '--allow-origin http://127.0.0.1:3000'],
    [4400, true, 'did not understand this page'],
    [1006, false, 'No agent answered'],
    [1006, true, 'connection to the agent was lost'],
  ])('explains close code %i (opened %s)', (code, opened, text) => {
    expect(closeMessage({ code, reason: '', opened }, 'http://127.0.0.1:3000')).toContain(text);
  });
});
