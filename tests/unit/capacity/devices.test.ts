import { describe, expect, it } from 'vitest';

import { appleWorkingSetShare } from '../../../lib/capacity/devices/apple.ts';
import {
  DEVICE_CATALOGUE,
  deviceLookupKey,
  findDevice,
  usableMemoryBytes,
} from '../../../lib/capacity/devices/catalogue.ts';
import type { DeviceSpec } from '../../../lib/capacity/devices/types.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

function device(overrides: Partial<DeviceSpec>): DeviceSpec {
  return { ...findDevice('rtx-4090'), ...overrides };
}

describe('device catalogue rows', () => {
  it('holds at least 45 devices', () => {
    expect(DEVICE_CATALOGUE.length).toBeGreaterThanOrEqual(45);
  });

  it('gives every device a unique kebab-case id', () => {
    const ids = DEVICE_CATALOGUE.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('names a source for every row', () => {
    for (const row of DEVICE_CATALOGUE) expect(row.source.trim().length).toBeGreaterThan(10);
  });

  it('has no zero, negative or NaN numbers', () => {
    for (const row of DEVICE_CATALOGUE) {
      expect(Number.isInteger(row.memoryBytes), row.id).toBe(true);
      expect(row.memoryBytes, row.id).toBeGreaterThan(0);
      expect(row.usableMemoryShare, row.id).toBeGreaterThan(0);
      expect(row.usableMemoryShare, row.id).toBeLessThanOrEqual(1);
      expect(row.bandwidthGBs, row.id).toBeGreaterThan(0);
      expect(row.fp16Tflops, row.id).toBeGreaterThan(0);
      if (row.interconnect) expect(row.interconnect.bandwidthGBs, row.id).toBeGreaterThan(0);
      expect(Number.isFinite(row.bandwidthGBs * row.fp16Tflops), row.id).toBe(true);
    }
  });

  it.each([
    'rtx-3060-12gb',
    'rtx-3090',
    'rtx-4090',
    'rtx-5090',
    'rtx-a6000',
    'rtx-6000-ada',
    't4',
    'a10',
    'a10g',
    'l4',
    'l40s',
    'a100-40gb-sxm',
    'a100-40gb-pcie',
    'a100-80gb-sxm',
    'a100-80gb-pcie',
    'h100-sxm',
    'h100-pcie',
    'h100-nvl',
    'h200',
    'b200',
    'mi210',
    'mi250x',
    'mi300x',
    'mi325x',
    'rx-7900-xtx',
    'm1-16gb',
    'm1-pro-32gb',
    'm1-max-64gb',
    'm1-ultra-128gb',
    'm2-max-64gb',
    'm2-ultra-192gb',
    'm3-pro-18gb',
    'm3-max-128gb',
    'm3-ultra-512gb',
    'm4-32gb',
    'm4-pro-48gb',
    'm4-max-128gb',
    'cpu-ddr4-3200-2ch-64gb',
    'cpu-ddr5-5600-2ch-64gb',
    'cpu-epyc-genoa-12ch-768gb',
  ])('covers %s', (id) => {
    expect(findDevice(id).id).toBe(id);
  });

  it('keeps one vendor-kind pairing per family', () => {
    for (const row of DEVICE_CATALOGUE) {
      if (row.vendor === 'apple') {
        expect(row.kind).toBe('unified-memory');
        expect(row.interconnect).toBeNull();
      }
      if (row.kind === 'discrete-gpu' || row.kind === 'datacenter-gpu') {
        expect(row.usableMemoryShare).toBe(1);
        expect(row.interconnect).not.toBeNull();
      }
    }
  });

  it.each([
    ['rtx-4090', 24564 * MIB, 1008, 330.3], // nvidia-smi 24564 MiB; Ada whitepaper
    ['h100-sxm', 81559 * MIB, 3350, 989], // nvidia-smi 81559 MiB; H100 datasheet
    ['h200', 143771 * MIB, 4800, 989], // nvidia-smi 143771 MiB
    ['rx-7900-xtx', 24 * GIB, 960, 122.8], // rocm-smi 25769803776 B = 24 GiB
    ['m2-max-64gb', 64 * GIB, 400, 13.6], // 64 GiB RAM; metal-benchmarks
    ['cpu-ddr5-5600-2ch-64gb', 64 * GIB, 2 * 8 * 5600 * 1e-3, 16 * 32 * 4.5e-3], // ch x B x MT/s
  ] as const)('records %s with its memory, bandwidth and FP16 rate', (id, bytes, gbs, tflops) => {
    const row = findDevice(id);
    expect(row.memoryBytes).toBe(bytes);
    expect(row.bandwidthGBs).toBeCloseTo(gbs, 6);
    expect(row.fp16Tflops).toBeCloseTo(tflops, 3);
  });
});

describe('finding a device', () => {
  it.each([
    ['rtx-4090', 'rtx-4090'],
    ['RTX-4090', 'rtx-4090'],
    ['rtx 4090', 'rtx-4090'],
    ['NVIDIA GeForce RTX 4090', 'rtx-4090'],
    ['nvidia h100 80gb hbm3', 'h100-sxm'],
    ['NVIDIA A100-SXM4-80GB', 'a100-80gb-sxm'],
    ['  Tesla T4 ', 't4'],
    ['AMD Instinct MI300X', 'mi300x'],
    ['M2 Max 64GB', 'm2-max-64gb'],
    ['Apple M3 Pro (18-core GPU, 36 GB)', 'm3-pro-36gb'],
  ])('finds "%s" as %s', (query, id) => {
    expect(findDevice(query).id).toBe(id);
  });

  it('resolves every id, name and alias to its own row', () => {
    for (const row of DEVICE_CATALOGUE) {
      for (const key of [row.id, row.name, ...row.aliases]) {
        expect(findDevice(key).id, key).toBe(row.id);
      }
    }
  });

  it('ignores case, spaces and punctuation in lookup keys', () => {
    expect(deviceLookupKey(' NVIDIA GeForce RTX-4090 ')).toBe('nvidiageforcertx4090');
  });

  it('names the field and suggests the closest ids for an unknown device', () => {
    const error = capacityError(() => findDevice('RTX 4095'));
    expect(error.code).toBe('unknown_device');
    expect(error.field).toBe('device');
    expect(error.expected?.split(', ')[0]).toBe('rtx-4090'); // one substitution away
  });

  it('suggests every variant whose name contains an ambiguous query', () => {
    const error = capacityError(() => findDevice('H100'));
    expect(error.code).toBe('unknown_device');
    expect(error.expected?.split(', ').sort()).toEqual(['h100-nvl', 'h100-pcie', 'h100-sxm']);
  });

  it('rejects an empty name as an invalid device field', () => {
    const error = capacityError(() => findDevice('  '));
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('device');
  });
});

describe('usable memory', () => {
  it('gives a discrete GPU all of its memory', () => {
    expect(usableMemoryBytes(findDevice('rtx-4090'))).toBe(24564 * MIB);
  });

  it.each([
    ['m1-8gb', Math.floor((8 * GIB * 2) / 3)], // 2/3 of RAM on small Macs
    ['m2-16gb', Math.floor((16 * GIB * 2) / 3)], // llama.cpp logs 11453.25 MB (10^6 B)
    ['m3-pro-18gb', Math.floor(18 * GIB * 0.74)], // 14302.25 MB / 19327352832 B
    ['m4-32gb', Math.floor(32 * GIB * 0.78)], // 26800.60 MB / 34359738368 B
    ['m2-max-64gb', Math.floor(64 * GIB * 0.75)], // ~96 of 128 GB on large Macs
  ])('limits %s to the Metal working set', (id, bytes) => {
    expect(usableMemoryBytes(findDevice(id))).toBe(bytes);
  });

  it('matches the 16 GB working set llama.cpp logs', () => {
    expect(usableMemoryBytes(findDevice('m2-16gb')) / 1e6).toBeCloseTo(11453.25, 2);
  });

  it.each([
    [8, 2 / 3],
    [16, 2 / 3],
    [18, 0.74],
    [24, 0.74],
    [36, 0.78],
    [48, 0.75],
    [192, 0.75],
  ])('takes %s GB of RAM to a working-set share of %s', (memoryGiB, share) => {
    expect(appleWorkingSetShare(memoryGiB)).toBe(share);
  });

  it.each([
    [{ usableMemoryShare: 1.5 }, 'usableMemoryShare'],
    [{ usableMemoryShare: 0 }, 'usableMemoryShare'],
    [{ usableMemoryShare: Number.NaN }, 'usableMemoryShare'],
    [{ memoryBytes: 0 }, 'memoryBytes'],
    [{ memoryBytes: 1.5 }, 'memoryBytes'],
  ])('rejects a device with %o naming %s', (overrides, field) => {
    expect(capacityError(() => usableMemoryBytes(device(overrides))).field).toBe(field);
  });
});
