import { describe, expect, it } from 'vitest';

import type { TelemetryFrame } from '../../../agent/protocol.ts';
import {
  agentHost,
  agentUrlProblem,
  closeMessage,
  isLoopbackAgentUrl,
  memorySeries,
  parseAgentMessage,
  pairingFromLink,
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
      label: 'host RAM in use',
      seconds: [0, 2],
      usedBytes: [6 * GIB, 6 * GIB], // 16 GiB - 10 GiB available
      predictedBytes: [null, null],
      hasPrediction: false,
    });
  });

  it('plots the first GPU that reports memory, with the prediction line', () => {
    const series = memorySeries([
      frame(0, { gpuUsed: 3 * GIB, predicted: 5 * GIB }),
      frame(500, { gpuUsed: 4 * GIB, predicted: 5 * GIB }),
    ]);

    expect(series.label).toBe('GPU 1 memory in use');
    expect(series.usedBytes).toEqual([3 * GIB, 4 * GIB]);
    expect(series.predictedBytes).toEqual([5 * GIB, 5 * GIB]);
    expect(series.hasPrediction).toBe(true);
  });

  it('follows the GPU using the most memory, not a MIG parent reporting 0 B', () => {
    const twoGpus = (atMs: number, secondUsed: number): TelemetryFrame => {
      const base = frame(atMs, { gpuUsed: 0 });
      const parent = base.inventory.devices[0];
      if (parent === undefined) throw new Error('the factory makes one GPU');
      const second = { ...parent, index: 2, memoryUsedBytes: secondUsed };
      return { ...base, inventory: { ...base.inventory, devices: [parent, second] } };
    };

    const series = memorySeries([twoGpus(0, 40 * GIB), twoGpus(1_000, 44 * GIB)]);

    expect(series.label).toBe('GPU 2 memory in use');
    expect(series.usedBytes).toEqual([40 * GIB, 44 * GIB]);
  });
});

describe('fleet page helpers', () => {
  it('reads the agent URL and token from a pairing fragment', () => {
    const hash = '#agent=ws%3A%2F%2F127.0.0.1%3A7420%2Fagent&token=abc';

    expect(parsePairingFragment(hash)).toEqual({ url: 'ws://127.0.0.1:7420/agent', token: 'abc' });
  });

  it.each([
    ['', null],
    ['#', null],
    ['#cells=abc', null],
    ['#token=abc', { url: null, token: 'abc' }],
    [
      '#agent=ws%3A%2F%2F127.0.0.1%3A7420%2Fagent',
      { url: 'ws://127.0.0.1:7420/agent', token: null },
    ],
    ['#agent=&token=', null],
  ])('reads the fragment %j as %j (a damaged link keeps what it has)', (hash, expected) => {
    expect(parsePairingFragment(hash)).toEqual(expected);
  });

  it('reads a whole pairing link pasted as the address, and nothing else', () => {
    const link = 'http://127.0.0.1:3000/fleet/#agent=ws%3A%2F%2F127.0.0.1%3A7420%2Fagent&token=t1';

    expect(pairingFromLink(link)).toEqual({ url: 'ws://127.0.0.1:7420/agent', token: 't1' });
    expect(pairingFromLink('ws://127.0.0.1:7420/agent')).toBeNull();
    expect(pairingFromLink('http://127.0.0.1:3000/fleet/#token=t1')).toBeNull();
    expect(pairingFromLink('not a url')).toBeNull();
  });

  it.each([
    ['ws://127.0.0.1:7420/agent', true],
    ['ws://127.8.9.10:7420/agent', true],
    ['ws://127.1:7420/agent', true], // the URL parser reads 127.1 as 127.0.0.1
    ['ws://localhost:7420/agent', true],
    ['ws://LOCALHOST:7420/agent', true],
    ['ws://[::1]:7420/agent', true],
    ['ws://10.0.0.5:7420/agent', false],
    ['ws://128.0.0.1:7420/agent', false],
    ['ws://127.0.0.1.evil.example:7420/agent', false],
    ['ws://localhost.evil.example/agent', false],
    ['ws://0.0.0.0:7420/agent', false],
    ['ws://[::2]:7420/agent', false],
    ['not a url', false],
  ])('isLoopbackAgentUrl(%s) is %s', (url, expected) => {
    expect(isLoopbackAgentUrl(url)).toBe(expected);
  });

  it('names the host and port of an agent URL for warnings', () => {
    expect(agentHost('ws://10.0.0.5:7420/agent')).toBe('10.0.0.5:7420');
    expect(agentHost('wss://agent.example/agent')).toBe('agent.example');
  });

  it('reads the agent messages the page uses and refuses anything else', () => {
    const hello = { type: 'hello', protocol: 1, agentVersion: '0.1.0', hostname: 'h' };
    const telemetry = { type: 'telemetry', frame: frame(5) };

    expect(parseAgentMessage(JSON.stringify(hello))).toEqual(hello);
    expect(parseAgentMessage(JSON.stringify(telemetry))).toEqual(telemetry);
    expect(parseAgentMessage('not json')).toBeNull();
    expect(parseAgentMessage('[]')).toBeNull();
    expect(parseAgentMessage('{"type":"hello","protocol":"1"}')).toBeNull();
    expect(parseAgentMessage('{"type":"telemetry","frame":{"capturedAtMs":1}}')).toBeNull();
    expect(parseAgentMessage('{"type":"surprise"}')).toBeNull();
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
