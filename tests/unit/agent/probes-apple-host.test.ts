import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { appleUsableBytes, parseIoreg, probeApple } from '../../../agent/probes/apple.ts';
import { parseMeminfo, probeHost } from '../../../agent/probes/host.ts';
import type { HostSources } from '../../../agent/probes/host.ts';
import { AGENT_FIXTURES, installStandIns } from '../../support/agent-stand-in.ts';
import type { Replay, StandIns } from '../../support/agent-stand-in.ts';

const GIB = 2 ** 30;
const MIB = 2 ** 20;

let standIns: StandIns | null = null;

afterEach(() => {
  standIns?.remove();
  standIns = null;
});

function mac(wiredLimitFile: string): Record<string, Replay[]> {
  return {
    system_profiler: [
      { args: ['SPDisplaysDataType', '-json'], stdoutFile: 'system-profiler-m3-pro.json' },
    ],
    sysctl: [
      { args: ['-n', 'hw.memsize'], stdoutFile: 'sysctl-memsize-18gb.txt' },
      { args: ['-n', 'iogpu.wired_limit_mb'], stdoutFile: wiredLimitFile },
    ],
    ioreg: [{ args: ['-r', '-c', 'AGXAccelerator', '-d', '1'], stdoutFile: 'ioreg-agx.txt' }],
  };
}

describe('probeApple through stand-in system_profiler, sysctl and ioreg', () => {
  it('reads the chip, its GPU cores, unified RAM and live use', async () => {
    standIns = installStandIns(mac('sysctl-wired-limit-default.txt'));

    const { devices } = await probeApple(standIns.run);

    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      vendor: 'apple',
      name: 'Apple M3 Pro',
      gpuCores: 14,
      unifiedMemory: true,
      memoryTotalBytes: 18 * GIB, // hw.memsize 19327352832
      memoryUsedBytes: 1234567168, // ioreg "In use system memory"
      utilizationPercent: 5,
    });
  });

  it('takes the default working set as 0.74 of 18 GiB, flagged as an estimate', async () => {
    standIns = installStandIns(mac('sysctl-wired-limit-default.txt'));

    const { devices, warnings } = await probeApple(standIns.run);

    expect(devices[0]?.usableMemoryBytes).toBe(Math.floor(18 * GIB * 0.74)); // 14302 MB observed
    expect(warnings.map((warning) => warning.code)).toEqual(['working_set_estimated']);
  });

  it('takes iogpu.wired_limit_mb when the user raised it', async () => {
    standIns = installStandIns(mac('sysctl-wired-limit-12288.txt'));

    const { devices, warnings } = await probeApple(standIns.run);

    expect(devices[0]?.usableMemoryBytes).toBe(12288 * MIB);
    expect(warnings).toEqual([]);
  });

  it('finds nothing where system_profiler does not exist', async () => {
    standIns = installStandIns({});

    await expect(probeApple(standIns.run)).resolves.toEqual({ devices: [], warnings: [] });
  });
});

describe('Apple helpers', () => {
  it.each([
    [16 * GIB, null, Math.floor((16 * GIB * 2) / 3)], // 2/3 at 16 GiB
    [36 * GIB, 0, Math.floor(36 * GIB * 0.78)], // 0 means the default policy
    [64 * GIB, 49152, 49152 * MIB], // a set limit wins
  ])('appleUsableBytes(%i, %s) is %i', (memory, limit, expected) => {
    expect(appleUsableBytes(memory, limit).bytes).toBe(expected);
  });

  it('reads nothing from ioreg output without the statistics', () => {
    expect(parseIoreg('+-o Root')).toEqual({ inUseMemoryBytes: null, utilizationPercent: null });
  });
});

describe('host probe', () => {
  const meminfo = readFileSync(join(AGENT_FIXTURES, 'proc-meminfo.txt'), 'utf8');

  it('reads MemTotal and MemAvailable from /proc/meminfo in KiB', () => {
    expect(parseMeminfo(meminfo)).toEqual({
      memoryTotalBytes: 24683792 * 1024,
      memoryAvailableBytes: 24250504 * 1024,
    });
  });

  it('adds MemFree, Buffers and Cached where MemAvailable is missing', () => {
    const old = meminfo.replace(/^MemAvailable.*\n/m, '');

    expect(parseMeminfo(old).memoryAvailableBytes).toBe((22720764 + 20988 + 1671468) * 1024);
  });

  function sources(overrides: Partial<HostSources> = {}): HostSources {
    return {
      readMeminfo: () => Promise.resolve(meminfo),
      systemInfo: () =>
        Promise.resolve({
          cpuModel: 'AMD EPYC 7B13',
          physicalCores: 1,
          memoryTotalBytes: 1,
          memoryAvailableBytes: 1,
        }),
      os: { hostname: 'box', platform: 'linux', arch: 'x64', cpuModel: 'os cpu', threads: 2 },
      ...overrides,
    };
  }

  it('prefers /proc/meminfo over systeminformation for RAM', async () => {
    const host = await probeHost(sources());

    expect(host).toMatchObject({
      hostname: 'box',
      cpuModel: 'AMD EPYC 7B13',
      cpuThreads: 2,
      cpuPhysicalCores: 1,
      memoryTotalBytes: 24683792 * 1024,
      source: 'proc-meminfo',
    });
  });

  it('falls back to node:os when systeminformation fails', async () => {
    const host = await probeHost(
      sources({
        readMeminfo: () => Promise.resolve(null),
        systemInfo: () => Promise.reject(new Error('no lscpu')),
      }),
    );

    expect(host).toMatchObject({ cpuModel: 'os cpu', memoryTotalBytes: null });
  });
});
