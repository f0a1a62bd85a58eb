import { afterEach, describe, expect, it } from 'vitest';

import { NVIDIA_QUERY_ARGS, parseNvidiaCsv, probeNvidia } from '../../../agent/probes/nvidia.ts';
import { installStandIns } from '../../support/agent-stand-in.ts';
import type { StandIns } from '../../support/agent-stand-in.ts';

const MIB = 2 ** 20;

let standIns: StandIns | null = null;

function nvidiaSmi(replays: Parameters<typeof installStandIns>[0]['nvidia-smi']): StandIns {
  standIns = installStandIns({ 'nvidia-smi': replays });
  return standIns;
}

afterEach(() => {
  standIns?.remove();
  standIns = null;
});

describe('probeNvidia through a stand-in nvidia-smi', () => {
  it('reads two GPUs of one workstation with their memory in bytes', async () => {
    const { run } = nvidiaSmi([
      { args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-workstation.csv' },
    ]);

    const { devices, warnings } = await probeNvidia(run);

    expect(warnings).toEqual([]);
    expect(devices.map((device) => device.name)).toEqual([
      'NVIDIA RTX A5000',
      'NVIDIA RTX 4500 Ada Generation',
    ]);
    expect(devices[0]).toMatchObject({
      index: 0,
      uuid: 'GPU-30667114-4567-bc4a-029b-3375d117048e',
      memoryTotalBytes: 24564 * MIB, // 24564 MiB as nvidia-smi prints it
      memoryUsedBytes: 1 * MIB,
      memoryFreeBytes: 24203 * MIB,
      powerWatts: 17.5,
      temperatureC: 34,
      pcieGeneration: 4,
      migEnabled: false,
    });
    expect(devices[1]?.memoryTotalBytes).toBe(24570 * MIB);
  });

  it('turns [N/A] and [Not Supported] fields into null', async () => {
    const { run } = nvidiaSmi([{ args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-gtx1660.csv' }]);

    const { devices } = await probeNvidia(run);

    expect(devices[0]).toMatchObject({
      name: 'NVIDIA GeForce GTX 1660 SUPER',
      memoryTotalBytes: 6144 * MIB,
      memoryUsedBytes: null,
      memoryFreeBytes: null,
      utilizationPercent: null,
      powerWatts: null,
      temperatureC: 40,
    });
  });

  it('lists the MIG slices of a GPU with MIG mode on', async () => {
    const { run } = nvidiaSmi([
      { args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-h100-mig.csv' },
      { args: ['-L'], stdoutFile: 'nvidia-smi-L-mig.txt' },
    ]);

    const { devices, warnings } = await probeNvidia(run);

    expect(devices[0]?.migEnabled).toBe(true);
    expect(devices[0]?.migInstances.map((slice) => slice.profile)).toEqual([
      '3g.40gb',
      '2g.20gb',
      '1g.10gb',
    ]);
    expect(devices[0]?.migInstances[0]?.uuid).toBe('MIG-5a1c9e3b-7d2f-5e8a-9c4b-1f3e5a7c9d2b');
    expect(devices[1]).toMatchObject({
      migEnabled: false,
      migInstances: [],
      utilizationPercent: 87,
    });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'mig_enabled', data: { index: 0, slices: 3 } }),
    ]);
  });

  it('reports a failing nvidia-smi as a warning, not an error', async () => {
    const { run } = nvidiaSmi([
      {
        args: NVIDIA_QUERY_ARGS,
        stdoutFile: 'nvidia-smi-garbage.txt',
        exitCode: 18,
        stderr: 'NVML',
      },
    ]);

    const { devices, warnings } = await probeNvidia(run);

    expect(devices).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'tool_failed', data: { exitCode: 18, stderr: 'NVML' } }),
    ]);
  });

  it('finds no GPU and says nothing when nvidia-smi is not installed', async () => {
    standIns = installStandIns({});

    await expect(probeNvidia(standIns.run)).resolves.toEqual({ devices: [], warnings: [] });
  });
});

describe('parseNvidiaCsv', () => {
  it.each([
    ['a line with too few columns', '0, NVIDIA L4, GPU-1, 23034'],
    ['a line without a name', '0, [N/A], GPU-1, 1, 1, 1, 1, 1, 1, 1, [N/A]'],
    ['an error message', 'Failed to initialize NVML: Driver/library version mismatch'],
  ])('skips %s with an unparsable_output warning', (_label, line) => {
    const { devices, warnings } = parseNvidiaCsv(line);

    expect(devices).toEqual([]);
    expect(warnings.map((warning) => warning.code)).toEqual(['unparsable_output']);
  });

  it('keeps the good lines around a bad one', () => {
    const good = '1, NVIDIA L4, GPU-1, 23034, 3, 22569, 0, 16.89, 31, 4, [N/A]';

    const { devices, warnings } = parseNvidiaCsv(`garbage\n${good}\n`);

    expect(devices.map((device) => device.index)).toEqual([1]);
    expect(warnings).toHaveLength(1);
  });
});
