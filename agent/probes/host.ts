// The host's CPU and RAM: /proc/meminfo on Linux, systeminformation elsewhere, node:os for names.

import { readFile } from 'node:fs/promises';
import { arch, cpus, hostname, platform } from 'node:os';

import type { HostInfo } from './types.ts';
import { KIB_BYTES } from './types.ts';

/** Bytes of total and available RAM. */
export interface MemInfo {
  memoryTotalBytes: number | null;
  memoryAvailableBytes: number | null;
}

/**
 * Parses /proc/meminfo (`Key:   value kB` lines, kB meaning KiB, `fs/proc/meminfo.c`):
 * `MemTotal`, and `MemAvailable` (not MemFree) as the headroom; older kernels without
 * `MemAvailable` fall back to MemFree + Buffers + Cached.
 */
export function parseMeminfo(text: string): MemInfo {
  const values = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9_()]+):\s+(\d+)\s*kB\s*$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]) * KIB_BYTES);
  }

  const fallbackParts = ['MemFree', 'Buffers', 'Cached'].map((key) => values.get(key));
  const fallback = fallbackParts.every((part) => part !== undefined)
    ? fallbackParts.reduce((sum: number, part) => sum + (part ?? 0), 0)
    : null;

  return {
    memoryTotalBytes: values.get('MemTotal') ?? null,
    memoryAvailableBytes: values.get('MemAvailable') ?? fallback,
  };
}

/** What the host probe reads from the machine; each part is replaceable in tests. */
export interface HostSources {
  /** Text of /proc/meminfo, or null where there is none (macOS, Windows). */
  readMeminfo: () => Promise<string | null>;
  /** CPU and memory from systeminformation (used for what /proc/meminfo cannot give). */
  systemInfo: () => Promise<{
    cpuModel: string | null;
    physicalCores: number | null;
    memoryTotalBytes: number | null;
    memoryAvailableBytes: number | null;
  }>;
  os: {
    hostname: string;
    platform: string;
    arch: string;
    cpuModel: string | null;
    threads: number;
  };
}

/** The real sources: /proc/meminfo, systeminformation's `cpu()` and `mem()`, node:os. */
export function defaultHostSources(): HostSources {
  const cpuList = cpus();
  return {
    readMeminfo: async () => {
      try {
        return await readFile('/proc/meminfo', 'utf8');
      } catch {
        return null;
      }
    },
    systemInfo: async () => {
      const si = await import('systeminformation');
      const [cpu, mem] = await Promise.all([si.cpu(), si.mem()]);
      const model = `${cpu.manufacturer} ${cpu.brand}`.trim();
      return {
        cpuModel: model === '' ? null : model,
        physicalCores: cpu.physicalCores > 0 ? cpu.physicalCores : null,
        memoryTotalBytes: mem.total > 0 ? mem.total : null,
        memoryAvailableBytes: mem.available > 0 ? mem.available : null,
      };
    },
    os: {
      hostname: hostname(),
      platform: platform(),
      arch: arch(),
      cpuModel: cpuList[0]?.model.trim() ?? null,
      threads: cpuList.length,
    },
  };
}

/**
 * Probes the host: RAM from /proc/meminfo where it exists (MemAvailable as headroom),
 * otherwise from systeminformation; CPU model and cores from systeminformation, falling back
 * to node:os when it fails.
 */
export async function probeHost(sources: HostSources): Promise<HostInfo> {
  const meminfoText = await sources.readMeminfo();
  const meminfo = meminfoText === null ? null : parseMeminfo(meminfoText);
  const system = await sources.systemInfo().catch(() => null);

  return {
    hostname: sources.os.hostname,
    platform: sources.os.platform,
    arch: sources.os.arch,
    cpuModel: system?.cpuModel ?? sources.os.cpuModel,
    cpuThreads: sources.os.threads > 0 ? sources.os.threads : null,
    cpuPhysicalCores: system?.physicalCores ?? null,
    memoryTotalBytes: meminfo?.memoryTotalBytes ?? system?.memoryTotalBytes ?? null,
    memoryAvailableBytes: meminfo?.memoryAvailableBytes ?? system?.memoryAvailableBytes ?? null,
    source: meminfo?.memoryTotalBytes ? 'proc-meminfo' : 'systeminformation',
  };
}
