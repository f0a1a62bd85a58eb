// Apple Silicon through system_profiler (chip, GPU cores), sysctl (RAM, wired limit) and ioreg.

import { appleWorkingSetShare } from '../../lib/capacity/devices/apple.ts';
import type { ProcessRunner } from '../process.ts';
import { jsonAfterBanner } from './amd.ts';
import type { ProbedDevice, ProbeWarning, VendorProbeResult } from './types.ts';
import { MIB_BYTES } from './types.ts';
import { numberField, textField } from './values.ts';

const GIB_BYTES = 2 ** 30;

/** One Apple GPU as system_profiler describes it: chip name and GPU core count. */
export interface AppleGpu {
  name: string;
  gpuCores: number | null;
}

/**
 * Apple GPUs in `system_profiler SPDisplaysDataType -json`: entries whose vendor key is
 * Apple's (`sppci_vendor_Apple`). Keys only, since display text is localised (cluster.md §3.3).
 */
export function parseSystemProfiler(stdout: string): AppleGpu[] {
  const document = jsonAfterBanner(stdout);
  if (typeof document !== 'object' || document === null) return [];
  const entries = (document as Record<string, unknown>).SPDisplaysDataType;
  if (!Array.isArray(entries)) return [];

  return entries.flatMap((entry): AppleGpu[] => {
    if (typeof entry !== 'object' || entry === null) return [];
    const record = entry as Record<string, unknown>;
    const vendor = String(record.spdisplays_vendor ?? record.sppci_vendor ?? '');
    if (!/apple/i.test(vendor)) return [];
    const name = textField(String(record.sppci_model ?? record._name ?? ''));
    if (name === null) return [];
    return [{ name, gpuCores: numberField(String(record.sppci_cores ?? '')) }];
  });
}

/** Live figures from `ioreg -r -c AGXAccelerator`'s PerformanceStatistics dictionary. */
export interface AppleGpuStats {
  inUseMemoryBytes: number | null;
  utilizationPercent: number | null;
}

/** Reads `"In use system memory"` (bytes) and `"Device Utilization %"` from ioreg's text. */
export function parseIoreg(stdout: string): AppleGpuStats {
  const read = (key: string): number | null => {
    const match = new RegExp(`"${key}"\\s*=\\s*(\\d+)`).exec(stdout);
    return match?.[1] ? Number(match[1]) : null;
  };
  return {
    inUseMemoryBytes: read('In use system memory'),
    utilizationPercent: read('Device Utilization %'),
  };
}

async function sysctlNumber(run: ProcessRunner, key: string): Promise<number | null> {
  const result = await run('sysctl', ['-n', key]);
  if (result?.exitCode !== 0) return null;
  return numberField(result.stdout.trim());
}

/**
 * Bytes the GPU may wire: `iogpu.wired_limit_mb` when the user set it (0 means the default
 * policy, not unlimited), otherwise Metal's default working-set share of RAM as the capacity
 * library models it (`appleWorkingSetShare`, an estimate from observed logs).
 */
export function appleUsableBytes(memoryBytes: number, wiredLimitMb: number | null) {
  if (wiredLimitMb !== null && wiredLimitMb > 0) {
    return { bytes: Math.round(wiredLimitMb * MIB_BYTES), estimated: false };
  }
  const share = appleWorkingSetShare(Math.round(memoryBytes / GIB_BYTES));
  return { bytes: Math.floor(memoryBytes * share), estimated: true };
}

/**
 * Probes Apple Silicon GPUs: system_profiler for the chip, `sysctl hw.memsize` for the unified
 * RAM, `iogpu.wired_limit_mb` for the GPU's share, ioreg for live use. Without system_profiler
 * (any other OS) it finds nothing and says nothing.
 */
export async function probeApple(run: ProcessRunner): Promise<VendorProbeResult> {
  const profiler = await run('system_profiler', ['SPDisplaysDataType', '-json']);
  if (profiler === null || profiler.exitCode !== 0) return { devices: [], warnings: [] };
  const gpus = parseSystemProfiler(profiler.stdout);
  if (gpus.length === 0) return { devices: [], warnings: [] };

  const memoryBytes = await sysctlNumber(run, 'hw.memsize');
  const wiredLimitMb = await sysctlNumber(run, 'iogpu.wired_limit_mb');
  const ioreg = await run('ioreg', ['-r', '-c', 'AGXAccelerator', '-d', '1']);
  const stats = ioreg?.exitCode === 0 ? parseIoreg(ioreg.stdout) : parseIoreg('');
  const usable = memoryBytes === null ? null : appleUsableBytes(memoryBytes, wiredLimitMb);

  const warnings: ProbeWarning[] = [];
  if (usable?.estimated) {
    warnings.push({
      code: 'working_set_estimated',
      source: 'sysctl',
      message: "the GPU's working set is Metal's default share of RAM, estimated",
      data: { memoryBytes: memoryBytes ?? 0, usableBytes: usable.bytes },
    });
  }

  const devices = gpus.map((gpu, index): ProbedDevice => ({
    vendor: 'apple',
    index,
    name: gpu.name,
    uuid: null,
    memoryTotalBytes: memoryBytes,
    memoryUsedBytes: stats.inUseMemoryBytes,
    memoryFreeBytes: null,
    usableMemoryBytes: usable?.bytes ?? null,
    unifiedMemory: true,
    utilizationPercent: stats.utilizationPercent,
    powerWatts: null,
    temperatureC: null,
    pcieGeneration: null,
    gpuCores: gpu.gpuCores,
    migEnabled: false,
    migInstances: [],
    catalogueId: null,
    source: 'system_profiler',
  }));

  return { devices, warnings };
}
