// AMD GPUs through amd-smi (both of its JSON shapes) or, where it is missing, rocm-smi.

import type { ProcessRunner } from '../process.ts';
import type { ProbedDevice, ProbeSource, ProbeWarning, VendorProbeResult } from './types.ts';
import { KIB_BYTES, MIB_BYTES } from './types.ts';
import { bytesField, numberField, textField } from './values.ts';

/** Arguments of amd-smi's static call: product names and VRAM sizes. */
export const AMD_SMI_STATIC_ARGS = ['static', '--asic', '--vram', '--json'] as const;

/** Arguments of amd-smi's live call: memory, activity, power and temperature. */
export const AMD_SMI_METRIC_ARGS = [
  'metric',
  '--mem-usage',
  '--usage',
  '--power',
  '--temperature',
  '--json',
] as const;

/** Arguments of the rocm-smi fallback. */
export const ROCM_SMI_ARGS = [
  '--showproductname',
  '--showmeminfo',
  'vram',
  '--showuse',
  '--showtemp',
  '--showpower',
  '--json',
] as const;

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON document in a tool's stdout, skipping banner lines such as amd-smi's `WARNING: ...`
 * before it; null when there is none.
 */
export function jsonAfterBanner(stdout: string): Json | null {
  const start = stdout.search(/^\s*[[{]/m);
  if (start < 0) return null;
  try {
    return JSON.parse(stdout.slice(start)) as Json;
  } catch {
    return null;
  }
}

/** amd-smi's per-GPU list from either shape: a bare list (older) or `{gpu_data: [...]}`. */
function amdSmiGpus(document: Json): Record<string, Json>[] | null {
  const list = isRecord(document) ? document.gpu_data : document;
  return Array.isArray(list) ? list.filter(isRecord) : null;
}

/** Bytes per unit amd-smi prints; its `MB` is MiB (it divides bytes by 1024 twice). */
const AMD_UNIT_BYTES: Record<string, number> = {
  B: 1,
  KB: KIB_BYTES,
  MB: MIB_BYTES,
  GB: 2 ** 30,
};

/** A `{value, unit}` object, a bare number or `"N/A"`, as a number. */
function amdValue(field: Json): number | null {
  if (isRecord(field)) return numberField(field.value as string | number);
  return numberField(field as string | number);
}

/** A memory field of amd-smi in bytes, honouring its unit (MiB when none is given). */
function amdBytes(field: Json): number | null {
  const unit = isRecord(field) && typeof field.unit === 'string' ? field.unit : 'MB';
  const unitBytes = AMD_UNIT_BYTES[unit.toUpperCase()];
  if (unitBytes === undefined) return null;
  return bytesField(amdValue(field), unitBytes);
}

function child(record: Record<string, Json> | undefined, key: string): Record<string, Json> {
  const value = record?.[key];
  return isRecord(value) ? value : {};
}

function gpuIndex(record: Record<string, Json>, fallback: number): number {
  const index = numberField(record.gpu as number | string);
  return index !== null && Number.isInteger(index) ? index : fallback;
}

/**
 * Parses amd-smi's `static --asic --vram --json` and `metric ... --json` outputs (each a bare
 * list or wrapped in `gpu_data`, possibly after a banner line) into devices joined on `gpu`.
 * Returns null when the metric output holds no GPU list.
 */
export function parseAmdSmi(staticOut: string, metricOut: string): VendorProbeResult | null {
  const metrics = amdSmiGpus(jsonAfterBanner(metricOut));
  if (metrics === null) return null;
  const statics = amdSmiGpus(jsonAfterBanner(staticOut)) ?? [];
  const staticByGpu = new Map(statics.map((record, i) => [gpuIndex(record, i), record]));

  const devices = metrics.map((metric, position): ProbedDevice => {
    const index = gpuIndex(metric, position);
    const info = staticByGpu.get(index);
    const memory = child(metric, 'mem_usage');
    const usage = child(metric, 'usage');
    const power = child(metric, 'power');
    const temperature = child(metric, 'temperature');
    const asic = child(info, 'asic');
    const totalBytes = amdBytes(memory.total_vram) ?? amdBytes(child(info, 'vram').size);

    return {
      vendor: 'amd',
      index,
      name: textField(asic.market_name as string) ?? `AMD GPU ${index}`,
      uuid: textField(asic.asic_serial as string),
      memoryTotalBytes: totalBytes,
      memoryUsedBytes: amdBytes(memory.used_vram),
      memoryFreeBytes: amdBytes(memory.free_vram),
      usableMemoryBytes: totalBytes,
      unifiedMemory: false,
      utilizationPercent: amdValue(usage.gfx_activity),
      powerWatts: amdValue(power.socket_power),
      temperatureC: amdValue(temperature.edge) ?? amdValue(temperature.hotspot),
      pcieGeneration: null,
      gpuCores: null,
      migEnabled: false,
      migInstances: [],
      catalogueId: null,
      source: 'amd-smi',
    };
  });

  return { devices, warnings: [] };
}

function firstKey(record: Record<string, Json>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return null;
}

/** rocm-smi's cards: `card0`... at the top level, or nested under `system` in some versions. */
function rocmCards(document: Json): [number, Record<string, Json>][] {
  if (!isRecord(document)) return [];
  const nested = isRecord(document.system) ? document.system : {};

  return [...Object.entries(document), ...Object.entries(nested)]
    .map(([key, value]) => [/^card(\d+)$/.exec(key)?.[1], value] as const)
    .filter((entry): entry is [string, Record<string, Json>] => !!entry[0] && isRecord(entry[1]))
    .map(([index, value]): [number, Record<string, Json>] => [Number(index), value])
    .sort((a, b) => a[0] - b[0]);
}

/**
 * Parses `rocm-smi --showproductname --showmeminfo vram --showuse --showtemp --showpower
 * --json`: values are strings, memory in bytes (cluster.md §3.2). Returns null when the output
 * holds no card.
 */
export function parseRocmSmi(stdout: string): VendorProbeResult | null {
  const cards = rocmCards(jsonAfterBanner(stdout));
  if (cards.length === 0) return null;

  const devices = cards.map(([index, card]): ProbedDevice => {
    const totalBytes = bytesField(firstKey(card, ['VRAM Total Memory (B)']), 1);
    const name = firstKey(card, ['Card Series', 'Card series', 'Card Model', 'Card SKU']);

    return {
      vendor: 'amd',
      index,
      name: textField(name) ?? `AMD GPU ${index}`,
      uuid: textField(firstKey(card, ['Unique ID'])),
      memoryTotalBytes: totalBytes,
      memoryUsedBytes: bytesField(firstKey(card, ['VRAM Total Used Memory (B)']), 1),
      memoryFreeBytes: null,
      usableMemoryBytes: totalBytes,
      unifiedMemory: false,
      utilizationPercent: numberField(firstKey(card, ['GPU use (%)'])),
      powerWatts: numberField(
        firstKey(card, [
          'Average Graphics Package Power (W)',
          'Current Socket Graphics Package Power (W)',
        ]),
      ),
      temperatureC: numberField(
        firstKey(card, ['Temperature (Sensor edge) (C)', 'Temperature (Sensor junction) (C)']),
      ),
      pcieGeneration: null,
      gpuCores: null,
      migEnabled: false,
      migInstances: [],
      catalogueId: null,
      source: 'rocm-smi',
    };
  });

  return { devices, warnings: [] };
}

function failed(source: ProbeSource, exitCode: number, stderr: string): ProbeWarning {
  return {
    code: 'tool_failed',
    source,
    message: `${source} failed`,
    data: { exitCode, stderr: stderr.trim().slice(0, 200) },
  };
}

function unparsable(source: ProbeSource): ProbeWarning {
  return { code: 'unparsable_output', source, message: `${source} printed no GPU list` };
}

/**
 * Probes AMD GPUs: amd-smi first (static + metric), rocm-smi when amd-smi is missing or
 * fails. Neither tool present means no AMD GPUs and no warning.
 */
export async function probeAmd(run: ProcessRunner): Promise<VendorProbeResult> {
  const warnings: ProbeWarning[] = [];

  const metric = await run('amd-smi', AMD_SMI_METRIC_ARGS);
  if (metric !== null && metric.exitCode !== 0) {
    warnings.push(failed('amd-smi', metric.exitCode, metric.stderr));
  }
  if (metric?.exitCode === 0) {
    const staticRun = await run('amd-smi', AMD_SMI_STATIC_ARGS);
    const parsed = parseAmdSmi(staticRun?.exitCode === 0 ? staticRun.stdout : '', metric.stdout);
    if (parsed) return { devices: parsed.devices, warnings };
    warnings.push(unparsable('amd-smi'));
  }

  const rocm = await run('rocm-smi', ROCM_SMI_ARGS);
  if (rocm === null) return { devices: [], warnings };
  if (rocm.exitCode !== 0)
    return { devices: [], warnings: [...warnings, failed('rocm-smi', rocm.exitCode, rocm.stderr)] };

  const parsed = parseRocmSmi(rocm.stdout);
  if (parsed) return { devices: parsed.devices, warnings };
  return { devices: [], warnings: [...warnings, unparsable('rocm-smi')] };
}
