// Matches probed devices to lib/capacity's device catalogue by product name (and RAM on Apple).

import { findDevice } from '../../lib/capacity/devices/catalogue.ts';
import type { DeviceSpec } from '../../lib/capacity/devices/types.ts';
import { CapacityError } from '../../lib/capacity/errors.ts';
import type { ProbedDevice, ProbeWarning } from './types.ts';

const GIB_BYTES = 2 ** 30;

/** Share by which probed memory may differ from the catalogue row before a warning. */
const MEMORY_TOLERANCE = 0.1;

/**
 * Names to look a device up by, most specific first: the tool's name, then without the vendor
 * prefix (`NVIDIA `, `AMD `); Apple chips with their RAM (`Apple M3 Pro 18GB`), since one chip
 * ships in several rows.
 */
export function catalogueCandidates(device: ProbedDevice): string[] {
  if (device.vendor === 'apple') {
    if (device.memoryTotalBytes === null) return [];
    const memoryGiB = Math.round(device.memoryTotalBytes / GIB_BYTES);
    return [`${device.name} ${memoryGiB}GB`];
  }

  const bare = device.name.replace(/^(NVIDIA|AMD)\s+/i, '');
  return bare === device.name ? [device.name] : [device.name, bare];
}

function lookup(name: string): DeviceSpec | null {
  try {
    return findDevice(name);
  } catch (error) {
    if (error instanceof CapacityError) return null;
    throw error;
  }
}

/**
 * The device with `catalogueId` set to the first catalogue row matching one of its candidate
 * names exactly (case and punctuation ignored; never the closest guess), plus warnings: none
 * matched, or the row's memory differs from the probed total by more than 10 %.
 */
export function matchCatalogue(device: ProbedDevice): {
  device: ProbedDevice;
  warnings: ProbeWarning[];
} {
  const spec = catalogueCandidates(device)
    .map(lookup)
    .find((row) => row !== null);
  if (!spec) {
    return {
      device,
      warnings: [
        {
          code: 'not_in_catalogue',
          source: device.source,
          message: 'no catalogue row has this product name',
          data: { index: device.index, name: device.name },
        },
      ],
    };
  }

  const warnings: ProbeWarning[] = [];
  const probed = device.memoryTotalBytes;
  if (probed !== null && Math.abs(spec.memoryBytes - probed) > MEMORY_TOLERANCE * probed) {
    warnings.push({
      code: 'catalogue_memory_differs',
      source: device.source,
      message: 'the catalogue row has a different memory size than the device reports',
      data: { index: device.index, catalogueBytes: spec.memoryBytes, probedBytes: probed },
    });
  }

  return { device: { ...device, catalogueId: spec.id }, warnings };
}
