// NVIDIA GPUs through nvidia-smi's CSV query (and `-L` for MIG slices), parsed field by field.

import type { ProcessRunner } from '../process.ts';
import type { MigInstance, ProbedDevice, ProbeWarning, VendorProbeResult } from './types.ts';
import { MIB_BYTES } from './types.ts';
import { bytesField, numberField, textField } from './values.ts';

/**
 * Fields asked of `nvidia-smi --query-gpu`, in column order. Memory is MiB, power W,
 * temperature °C, utilisation %, PCIe generation an integer (cluster.md §3.1).
 */
export const NVIDIA_QUERY_FIELDS = [
  'index',
  'name',
  'uuid',
  'memory.total',
  'memory.used',
  'memory.free',
  'utilization.gpu',
  'power.draw',
  'temperature.gpu',
  'pcie.link.gen.current',
  'mig.mode.current',
] as const;

/** Arguments of the one nvidia-smi call the probe makes for the table of GPUs. */
export const NVIDIA_QUERY_ARGS = [
  `--query-gpu=${NVIDIA_QUERY_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
] as const;

/**
 * Parses `--format=csv,noheader,nounits` output of `NVIDIA_QUERY_FIELDS`: one GPU a line,
 * `[N/A]` / `[Not Supported]` fields as null, MiB turned into bytes. Lines with the wrong
 * number of columns or no name are skipped with an `unparsable_output` warning.
 */
export function parseNvidiaCsv(stdout: string): VendorProbeResult {
  const devices: ProbedDevice[] = [];
  const warnings: ProbeWarning[] = [];

  const lines = stdout.split(/\r?\n/).filter((line) => line.trim() !== '');
  for (const [lineIndex, line] of lines.entries()) {
    const cells = line.split(',').map((cell) => cell.trim());
    const name = textField(cells[1]);
    if (cells.length !== NVIDIA_QUERY_FIELDS.length || name === null) {
      warnings.push({
        code: 'unparsable_output',
        source: 'nvidia-smi',
        message: 'a line of nvidia-smi output does not have the queried columns',
        data: { line: lineIndex + 1, columns: cells.length },
      });
      continue;
    }

    devices.push(nvidiaDevice(cells, name, lineIndex));
  }

  return { devices, warnings };
}

function nvidiaDevice(cells: string[], name: string, lineIndex: number): ProbedDevice {
  const index = numberField(cells[0]);
  const migMode = textField(cells[10])?.toLowerCase();

  return {
    vendor: 'nvidia',
    index: index !== null && Number.isInteger(index) ? index : lineIndex,
    name,
    uuid: textField(cells[2]),
    memoryTotalBytes: bytesField(cells[3], MIB_BYTES),
    memoryUsedBytes: bytesField(cells[4], MIB_BYTES),
    memoryFreeBytes: bytesField(cells[5], MIB_BYTES),
    usableMemoryBytes: bytesField(cells[3], MIB_BYTES),
    unifiedMemory: false,
    utilizationPercent: numberField(cells[6]),
    powerWatts: numberField(cells[7]),
    temperatureC: numberField(cells[8]),
    pcieGeneration: numberField(cells[9]),
    gpuCores: null,
    migEnabled: migMode === 'enabled',
    migInstances: [],
    catalogueId: null,
    source: 'nvidia-smi',
  };
}

/**
 * MIG slices per GPU index from `nvidia-smi -L`: lines `GPU 0: <name> (UUID: GPU-...)` each
 * followed by indented `MIG 3g.40gb Device 0: (UUID: MIG-...)` lines.
 */
export function parseNvidiaList(stdout: string): Map<number, MigInstance[]> {
  const slices = new Map<number, MigInstance[]>();
  let gpu: number | null = null;

  for (const line of stdout.split(/\r?\n/)) {
    const gpuMatch = /^GPU\s+(\d+):/.exec(line.trim());
    if (gpuMatch?.[1]) {
      gpu = Number(gpuMatch[1]);
      slices.set(gpu, []);
      continue;
    }

    const migMatch = /^MIG\s+(\S+)\s+Device\s+\d+:\s*(?:\(UUID:\s*([^)\s]+)\))?/.exec(line.trim());
    if (migMatch?.[1] && gpu !== null) {
      slices.get(gpu)?.push({ profile: migMatch[1], uuid: migMatch[2] ?? null });
    }
  }

  return slices;
}

/**
 * Probes NVIDIA GPUs: one `--query-gpu` call, plus `nvidia-smi -L` when a GPU has MIG mode on.
 * No nvidia-smi on the machine means no NVIDIA GPUs and no warning; a failing one is a
 * `tool_failed` warning.
 */
export async function probeNvidia(run: ProcessRunner): Promise<VendorProbeResult> {
  const result = await run('nvidia-smi', NVIDIA_QUERY_ARGS);
  if (result === null) return { devices: [], warnings: [] };
  if (result.exitCode !== 0) {
    return {
      devices: [],
      warnings: [
        {
          code: 'tool_failed',
          source: 'nvidia-smi',
          message: 'nvidia-smi failed',
          data: { exitCode: result.exitCode, stderr: result.stderr.trim().slice(0, 200) },
        },
      ],
    };
  }

  const parsed = parseNvidiaCsv(result.stdout);
  const migGpus = parsed.devices.filter((device) => device.migEnabled);
  if (migGpus.length === 0) return parsed;

  const list = await run('nvidia-smi', ['-L']);
  const slices = list?.exitCode === 0 ? parseNvidiaList(list.stdout) : new Map();
  const devices = parsed.devices.map((device) =>
    device.migEnabled ? { ...device, migInstances: slices.get(device.index) ?? [] } : device,
  );
  const warnings = migGpus.map((device): ProbeWarning => ({
    code: 'mig_enabled',
    source: 'nvidia-smi',
    message: 'MIG mode is on: engines see slices, not the whole GPU',
    data: { index: device.index, slices: slices.get(device.index)?.length ?? 0 },
  }));

  return { devices, warnings: [...parsed.warnings, ...warnings] };
}
