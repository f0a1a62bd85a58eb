import { afterEach, describe, expect, it } from 'vitest';

import {
  AMD_SMI_METRIC_ARGS,
  AMD_SMI_STATIC_ARGS,
  parseAmdSmi,
  parseRocmSmi,
  probeAmd,
  ROCM_SMI_ARGS,
} from '../../../agent/probes/amd.ts';
import { installStandIns } from '../../support/agent-stand-in.ts';
import type { StandIns } from '../../support/agent-stand-in.ts';

const MIB = 2 ** 20;

let standIns: StandIns | null = null;

afterEach(() => {
  standIns?.remove();
  standIns = null;
});

describe('probeAmd through stand-in amd-smi and rocm-smi', () => {
  it('reads amd-smi list output after its WARNING banner', async () => {
    standIns = installStandIns({
      'amd-smi': [
        { args: AMD_SMI_METRIC_ARGS, stdoutFile: 'amd-smi-metric-list.txt' },
        { args: AMD_SMI_STATIC_ARGS, stdoutFile: 'amd-smi-static-list.json' },
      ],
    });

    const { devices, warnings } = await probeAmd(standIns.run);

    expect(warnings).toEqual([]);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      name: 'AMD Instinct MI300X',
      source: 'amd-smi',
      memoryTotalBytes: 196592 * MIB, // amd-smi's "MB" is MiB: 196592 MiB = 192 GiB - 16 MiB
      memoryUsedBytes: 283 * MIB,
      memoryFreeBytes: 196309 * MIB,
      utilizationPercent: 12,
      powerWatts: 137,
      temperatureC: 41, // edge is N/A, so the hotspot sensor
    });
  });

  it('reads the newer gpu_data shape with N/A values as null', async () => {
    standIns = installStandIns({
      'amd-smi': [
        { args: AMD_SMI_METRIC_ARGS, stdoutFile: 'amd-smi-metric-gpu-data.json' },
        { args: AMD_SMI_STATIC_ARGS, stdoutFile: 'amd-smi-static-gpu-data.json' },
      ],
    });

    const { devices } = await probeAmd(standIns.run);

    expect(devices.map((device) => [device.index, device.name])).toEqual([
      [0, 'AMD Instinct MI210'],
      [1, 'AMD Instinct MI210'],
    ]);
    expect(devices[1]).toMatchObject({
      memoryUsedBytes: 4096 * MIB,
      utilizationPercent: null,
      powerWatts: null,
      temperatureC: null,
    });
  });

  it('falls back to rocm-smi when amd-smi is not installed', async () => {
    standIns = installStandIns({
      'rocm-smi': [{ args: ROCM_SMI_ARGS, stdoutFile: 'rocm-smi-rx7900xtx.json' }],
    });

    const { devices, warnings } = await probeAmd(standIns.run);

    expect(warnings).toEqual([]);
    expect(devices[0]).toMatchObject({
      index: 0,
      name: 'AMD GPU 0', // this recording was taken without --showproductname
      source: 'rocm-smi',
      memoryTotalBytes: 25769803776, // 24 GiB, printed in bytes
      memoryUsedBytes: 25677897728,
      utilizationPercent: 100,
      temperatureC: 62,
      powerWatts: 323,
    });
  });

  it('falls back to rocm-smi with a warning when amd-smi fails', async () => {
    standIns = installStandIns({
      'amd-smi': [{ args: AMD_SMI_METRIC_ARGS, exitCode: 1, stderr: 'permission denied' }],
      'rocm-smi': [{ args: ROCM_SMI_ARGS, stdoutFile: 'rocm-smi-nested.json' }],
    });

    const { devices, warnings } = await probeAmd(standIns.run);

    expect(warnings.map((warning) => [warning.code, warning.source])).toEqual([
      ['tool_failed', 'amd-smi'],
    ]);
    expect(devices[0]).toMatchObject({
      name: 'Radeon RX 7900 XTX',
      memoryUsedBytes: 1073741824, // 1 GiB
      temperatureC: 48, // junction sensor; edge absent
      powerWatts: null, // "N/A"
    });
  });
});

describe('AMD parsers on bad output', () => {
  it.each([
    ['an empty output', ''],
    ['a banner alone', 'WARNING: something\n'],
    ['broken JSON', '[{"gpu": 0,'],
    ['an object without gpu_data', '{"error": "no GPUs"}'],
  ])('parseAmdSmi returns null for %s', (_label, text) => {
    expect(parseAmdSmi('', text)).toBeNull();
  });

  it.each([
    ['an empty output', ''],
    ['JSON without cards', '{"system": {"Driver version": "6.8.5"}}'],
    ['a list', '[1, 2]'],
  ])('parseRocmSmi returns null for %s', (_label, text) => {
    expect(parseRocmSmi(text)).toBeNull();
  });
});
