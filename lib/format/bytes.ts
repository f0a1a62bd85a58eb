// Human-readable byte counts for the CLI and the app, keeping GiB (2^30) and GB (10^9) apart.

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

/** Parameter counts from a million up: millions, billions, trillions (short scale). */
const COUNT_UNITS = ['M', 'B', 'T'] as const;

/** What a number shows with: four significant digits at most (9.99, 99.99, 999.9). */
function decimalsFor(value: number): number {
  return value < 100 ? 2 : 1;
}

/**
 * `magnitude` (at least 0) in the largest of `units` (each `base` times the one before) that
 * keeps it below 1000 once rounded, so 1002 MiB reads 0.98 GiB and 999.96 MiB reads 0.98 GiB
 * rather than 1000.0 MiB. Past the last unit it falls back to scientific notation, so a
 * number never runs to more than four significant digits.
 */
function scale(
  magnitude: number,
  base: number,
  units: readonly string[],
  decimals: ((value: number) => number) | number,
): { digits: string; unit: string } {
  let value = magnitude;
  let unit = 0;
  const places = (shown: number) => (typeof decimals === 'number' ? decimals : decimals(shown));

  const rounded = (shown: number) => Number(shown.toFixed(places(shown)));
  while (rounded(value) >= 1000 && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  const name = units[unit] ?? '';
  if (rounded(value) >= 1000) return { digits: value.toExponential(2), unit: name };
  return { digits: value.toFixed(places(value)), unit: name };
}

/**
 * Formats `bytes` in binary units (KiB to EiB, 1024 apart) by default, or decimal ones (kB to
 * EB, 1000 apart) on request, with at most four significant digits (`12.34 GiB`, `512.0 MiB`,
 * `46.03 PiB`); whole bytes below 1000. `digits` fixes the decimals instead. Not finite: `n/a`.
 */
export function formatBytes(bytes: number, options: { decimal?: boolean; digits?: number } = {}) {
  if (!Number.isFinite(bytes)) return 'n/a';
  const base = options.decimal ? 1000 : 1024;
  const units = options.decimal ? DECIMAL_UNITS : BINARY_UNITS;
  const sign = bytes < 0 ? '-' : '';
  const decimals = options.digits ?? decimalsFor;
  const magnitude = Math.abs(bytes);
  if (magnitude < 1000) return `${sign}${Math.round(magnitude)} B`;
  const { digits, unit } = scale(magnitude, base, units, decimals);
  return `${sign}${digits} ${unit}`;
}

/** Formats a count with thousands separators, e.g. 8,030,261,248; `n/a` when not finite. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Math.round(value).toLocaleString('en-US');
}

/**
 * Formats a parameter count in short scale with four significant digits at most: `8.03B`,
 * `512.0M`, `6.08T`; below a million with separators (`124,439`); `n/a` when not finite.
 */
export function formatParams(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  if (magnitude < 1e6) return `${sign}${formatCount(magnitude)}`;
  const { digits, unit } = scale(magnitude / 1e6, 1000, COUNT_UNITS, decimalsFor);
  return `${sign}${digits}${unit}`;
}
