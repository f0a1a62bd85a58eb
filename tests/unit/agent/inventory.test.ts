import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  AMD_SMI_METRIC_ARGS,
  AMD_SMI_STATIC_ARGS,
  ROCM_SMI_ARGS,
} from '../../../agent/probes/amd.ts';
import type { HostSources } from '../../../agent/probes/host.ts';
import { probeInventory } from '../../../agent/probes/inventory.ts';
import { catalogueCandidates } from '../../../agent/probes/match.ts';
import { NVIDIA_QUERY_ARGS } from '../../../agent/probes/nvidia.ts';
import type { ProbedDevice } from '../../../agent/probes/types.ts';
import { AGENT_FIXTURES, installStandIns } from '../../support/agent-stand-in.ts';
import type { Replay, StandIns } from '../../support/agent-stand-in.ts';

const MEMINFO = readFileSync(join(AGENT_FIXTURES, 'proc-meminfo.txt'), 'utf8');
const HOST: HostSources = {
  readMeminfo: () => Promise.resolve(MEMINFO),
  systemInfo: () => Promise.reject(new Error('not used')),
  os: { hostname: 'node-1', platform: 'linux', arch: 'x64', cpuModel: 'cpu', threads: 16 },
};

let standIns: StandIns | null = null;

afterEach(() => {
  standIns?.remove();
  standIns = null;
});

async function inventoryWith(tools: Record<string, Replay[]>) {
  standIns = installStandIns(tools);
  return probeInventory({ run: standIns.run, host: HOST, now: () => 1_700_000_000_000 });
}

describe('probeInventory', () => {
  it('matches each GPU to its catalogue row by product name', async () => {
    const inventory = await inventoryWith({
      'nvidia-smi': [
        { args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-h100-mig.csv' },
        { args: ['-L'], stdoutFile: 'nvidia-smi-L-mig.txt' },
      ],
      'amd-smi': [
        { args: AMD_SMI_METRIC_ARGS, stdoutFile: 'amd-smi-metric-list.txt' },
        { args: AMD_SMI_STATIC_ARGS, stdoutFile: 'amd-smi-static-list.json' },
      ],
    });

    expect(inventory.devices.map((device) => [device.name, device.catalogueId])).toEqual([
      ['NVIDIA H100 80GB HBM3', 'h100-sxm'],
      ['NVIDIA H100 80GB HBM3', 'h100-sxm'],
      ['AMD Instinct MI300X', 'mi300x'],
    ]);
    expect(inventory.capturedAtMs).toBe(1_700_000_000_000);
    expect(inventory.host.memoryTotalBytes).toBe(24683792 * 1024);
  });

  it('leaves a GPU the catalogue lacks unmatched, with a not_in_catalogue warning', async () => {
    const inventory = await inventoryWith({
      'nvidia-smi': [{ args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-workstation.csv' }],
    });

    expect(inventory.devices.map((device) => device.catalogueId)).toEqual(['rtx-a5000', null]);
    expect(inventory.warnings).toEqual([
      expect.objectContaining({
        code: 'not_in_catalogue',
        data: { index: 1, name: 'NVIDIA RTX 4500 Ada Generation' },
      }),
    ]);
  });

  it('matches an L4 and an RX 7900 XTX found through rocm-smi', async () => {
    const inventory = await inventoryWith({
      'nvidia-smi': [{ args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-l4.csv' }],
      'rocm-smi': [{ args: ROCM_SMI_ARGS, stdoutFile: 'rocm-smi-nested.json' }],
    });

    expect(inventory.devices.map((device) => device.catalogueId)).toEqual(['l4', 'rx-7900-xtx']);
  });

  it('gives a GB10 without its own memory the host RAM as unified memory', async () => {
    const inventory = await inventoryWith({
      'nvidia-smi': [{ args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-gb10.csv' }],
    });

    expect(inventory.devices[0]).toMatchObject({
      name: 'NVIDIA GB10',
      unifiedMemory: true,
      memoryTotalBytes: 24683792 * 1024, // MemTotal
      usableMemoryBytes: 24250504 * 1024, // MemAvailable
    });
    expect(inventory.warnings.map((warning) => warning.code)).toContain('memory_from_host');
  });

  it('matches an Apple chip together with its RAM size', async () => {
    const inventory = await inventoryWith({
      system_profiler: [
        { args: ['SPDisplaysDataType', '-json'], stdoutFile: 'system-profiler-m3-pro.json' },
      ],
      sysctl: [
        { args: ['-n', 'hw.memsize'], stdoutFile: 'sysctl-memsize-18gb.txt' },
        { args: ['-n', 'iogpu.wired_limit_mb'], stdoutFile: 'sysctl-wired-limit-default.txt' },
      ],
    });

    expect(inventory.devices[0]?.catalogueId).toBe('m3-pro-18gb');
  });

  it('reports a CPU-only machine with its host and no devices', async () => {
    const inventory = await inventoryWith({});

    expect(inventory.devices).toEqual([]);
    expect(inventory.warnings).toEqual([]);
    expect(inventory.host).toMatchObject({ hostname: 'node-1', cpuThreads: 16 });
  });
});

describe('catalogueCandidates', () => {
  function device(vendor: ProbedDevice['vendor'], name: string, memoryTotalBytes: number | null) {
    return {
      vendor,
      index: 0,
      name,
      uuid: null,
      memoryTotalBytes,
      memoryUsedBytes: null,
      memoryFreeBytes: null,
      usableMemoryBytes: null,
      unifiedMemory: vendor === 'apple',
      utilizationPercent: null,
      powerWatts: null,
      temperatureC: null,
      pcieGeneration: null,
      gpuCores: null,
      migEnabled: false,
      migInstances: [],
      catalogueId: null,
      source: 'nvidia-smi',
    } satisfies ProbedDevice;
  }

  it.each([
    ['NVIDIA L4', device('nvidia', 'NVIDIA L4', 1), ['NVIDIA L4', 'L4']],
    [
      'an AMD part',
      device('amd', 'AMD Instinct MI210', 1),
      ['AMD Instinct MI210', 'Instinct MI210'],
    ],
    ['a name without prefix', device('nvidia', 'Tesla T4', 1), ['Tesla T4']],
    ['an Apple chip', device('apple', 'Apple M2 Max', 64 * 2 ** 30), ['Apple M2 Max 64GB']],
    ['an Apple chip of unknown RAM', device('apple', 'Apple M2 Max', null), []],
  ])('gives the names to try for %s', (_label, probed, expected) => {
    expect(catalogueCandidates(probed)).toEqual(expected);
  });
});
