// One normalised inventory of the machine: host, every vendor's GPUs, catalogue matches.

import type { ProcessRunner } from '../process.ts';
import { probeAmd } from './amd.ts';
import { probeApple } from './apple.ts';
import type { HostSources } from './host.ts';
import { probeHost } from './host.ts';
import { matchCatalogue } from './match.ts';
import { probeNvidia } from './nvidia.ts';
import type { DeviceInventory, HostInfo, ProbedDevice, ProbeWarning } from './types.ts';

/** What probing touches: the process runner, the host's sources and the clock. */
export interface ProbeEnvironment {
  run: ProcessRunner;
  host: HostSources;
  now: () => number;
}

/**
 * A GPU that shares the host's RAM but prints `[N/A]` for its memory (NVIDIA GB10, DGX Spark)
 * takes the host's total and available RAM (cluster.md §3.1), with a `memory_from_host` warning.
 */
function fillUnifiedMemory(device: ProbedDevice, host: HostInfo) {
  if (device.memoryTotalBytes !== null || host.memoryTotalBytes === null) {
    return { device, warnings: [] };
  }

  const warning: ProbeWarning = {
    code: 'memory_from_host',
    source: device.source,
    message: 'the GPU reports no memory of its own; the host RAM is taken as unified memory',
    data: { index: device.index, memoryBytes: host.memoryTotalBytes },
  };
  const filled: ProbedDevice = {
    ...device,
    memoryTotalBytes: host.memoryTotalBytes,
    memoryFreeBytes: device.memoryFreeBytes ?? host.memoryAvailableBytes,
    usableMemoryBytes: host.memoryAvailableBytes ?? host.memoryTotalBytes,
    unifiedMemory: true,
  };
  return { device: filled, warnings: [warning] };
}

/**
 * Probes the whole machine: host CPU and RAM, NVIDIA, AMD and Apple GPUs (each vendor's tool
 * is tried; missing tools are silent), fills unified memory from the host where a GPU gives
 * none, and matches every device to the catalogue. Never throws for a broken tool: its
 * failure becomes a warning.
 */
export async function probeInventory(env: ProbeEnvironment): Promise<DeviceInventory> {
  const [host, nvidia, amd, apple] = await Promise.all([
    probeHost(env.host),
    probeNvidia(env.run),
    probeAmd(env.run),
    probeApple(env.run),
  ]);

  const warnings: ProbeWarning[] = [...nvidia.warnings, ...amd.warnings, ...apple.warnings];
  const devices = [...nvidia.devices, ...amd.devices, ...apple.devices].map((probed) => {
    const filled = fillUnifiedMemory(probed, host);
    const matched = matchCatalogue(filled.device);
    warnings.push(...filled.warnings, ...matched.warnings);
    return matched.device;
  });

  return { host, devices, warnings, capturedAtMs: env.now() };
}
