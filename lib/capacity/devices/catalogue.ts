// The built-in device catalogue and its lookups: by id, name or alias, and usable memory.

import { CapacityError, requirePositiveInt } from '../errors.ts';
import { AMD_DEVICES } from './amd.ts';
import { APPLE_DEVICES } from './apple.ts';
import { CPU_DEVICES } from './cpu.ts';
import { NVIDIA_DEVICES } from './nvidia.ts';
import type { DeviceSpec } from './types.ts';

export type { DeviceKind, DeviceSpec, DeviceVendor, Interconnect } from './types.ts';

/**
 * Every built-in device: NVIDIA, AMD, Apple Silicon (one row per chip variant and memory
 * size) and CPU-only hosts. Each row names the source of its numbers in `source`.
 */
export const DEVICE_CATALOGUE: readonly DeviceSpec[] = Object.freeze([
  ...NVIDIA_DEVICES,
  ...AMD_DEVICES,
  ...APPLE_DEVICES,
  ...CPU_DEVICES,
]);

/** How many close ids an unknown-device error suggests. */
const SUGGESTIONS = 3;

/**
 * The key a device name is looked up by: lower case, letters and digits only, so
 * `RTX 4090`, `rtx-4090` and `NVIDIA GeForce RTX 4090` each match their row.
 */
export function deviceLookupKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function keysOf(device: DeviceSpec): string[] {
  return [device.id, device.name, ...device.aliases].map(deviceLookupKey);
}

const INDEX: ReadonlyMap<string, DeviceSpec> = new Map(
  DEVICE_CATALOGUE.flatMap((device) => keysOf(device).map((key) => [key, device] as const)),
);

/**
 * The catalogue row whose id, name or alias matches `idOrName` (case, spaces and
 * punctuation ignored). Throws `unknown_device` naming the field `device`, with the closest
 * ids in `expected`.
 */
export function findDevice(idOrName: string): DeviceSpec {
  const key = typeof idOrName === 'string' ? deviceLookupKey(idOrName) : '';
  if (key === '') {
    throw new CapacityError('invalid_field', 'device must be a non-empty id or name', {
      field: 'device',
      expected: 'a device id such as rtx-4090',
    });
  }

  const device = INDEX.get(key);
  if (device) return device;

  const closest = closestDeviceIds(key, SUGGESTIONS);
  throw new CapacityError('unknown_device', `unknown device "${idOrName}"`, {
    field: 'device',
    expected:
      closest.length > 0
        ? closest.join(', ')
        : `a device id from the catalogue; none is close to "${idOrName}"`,
  });
}

/** Shortest query matched by containment: shorter ones (`a`, `x`) are inside most keys. */
const MIN_CONTAINED_QUERY = 3;

/**
 * Edit distance within which a key counts as close: a third of the query's length, at least
 * one edit (`rtx4095` -> `rtx4090`, `rtx3090tx` -> `rtx3090ti`; `nope` is close to nothing).
 */
function closeDistance(query: string): number {
  return Math.max(1, Math.floor(query.length / 3));
}

/**
 * Up to `count` catalogue ids close to a lookup key: ids whose keys contain the query first,
 * then by edit distance (Levenshtein) between the query and the nearest key of each row, only
 * those within `closeDistance`. Empty when nothing is close: arbitrary ids help nobody.
 */
function closestDeviceIds(query: string, count: number): string[] {
  const scored = DEVICE_CATALOGUE.map((device) => {
    const keys = keysOf(device);
    return {
      id: device.id,
      contains: query.length >= MIN_CONTAINED_QUERY && keys.some((key) => key.includes(query)),
      distance: Math.min(...keys.map((key) => editDistance(query, key))),
    };
  });

  const limit = closeDistance(query);
  const close = scored.filter((entry) => entry.contains || entry.distance <= limit);
  close.sort(
    (a, b) =>
      Number(b.contains) - Number(a.contains) ||
      a.distance - b.distance ||
      a.id.localeCompare(b.id),
  );
  return close.slice(0, count).map((entry) => entry.id);
}

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);

  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }

  return previous[b.length] ?? 0;
}

/**
 * Bytes of the device's memory a model may use: `memoryBytes x usableMemoryShare`, rounded
 * down. On Apple Silicon that is Metal's working-set limit, not the RAM size (cluster.md
 * §3.3); on discrete GPUs the whole memory (engines then reserve their own share).
 */
export function usableMemoryBytes(device: DeviceSpec): number {
  const memoryBytes = requirePositiveInt(device.memoryBytes, 'memoryBytes');
  const share = device.usableMemoryShare;
  if (!Number.isFinite(share) || share <= 0 || share > 1) {
    throw new CapacityError(
      'out_of_range',
      `usableMemoryShare must be in (0, 1], got ${String(share)}`,
      { field: 'usableMemoryShare', expected: 'a share greater than 0 and at most 1' },
    );
  }

  return Math.floor(memoryBytes * share);
}
