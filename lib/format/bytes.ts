// Human-readable byte counts for the CLI and the app, keeping GiB (2^30) and GB (10^9) apart.

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** Formats `bytes` in binary units (GiB) by default, or decimal ones (GB) on request. */
export function formatBytes(bytes: number, options: { decimal?: boolean; digits?: number } = {}) {
  if (!Number.isFinite(bytes)) return 'n/a';
  const base = options.decimal ? 1000 : 1024;
  const units = options.decimal ? DECIMAL_UNITS : BINARY_UNITS;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  // Switch unit from 1000 of the smaller one, so 1002 MiB reads 0.98 GiB rather than four digits.
  while (value >= 1000 && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : (options.digits ?? 2);
  return `${sign}${value.toFixed(digits)} ${units[unit]}`;
}

/** Formats a count with thousands separators, e.g. 8,030,261,248. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Formats a parameter count in billions or millions, e.g. 8.03B. */
export function formatParams(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  return formatCount(value);
}
