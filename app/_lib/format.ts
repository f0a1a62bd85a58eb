// Number formatting for the page: bytes in binary units (GiB = 2^30), tokens, rates; never NaN.

import { formatBytes as formatByteCount } from '../../lib/format/bytes.ts';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Bytes in binary units (`12.34 GiB`, `1.50 TiB`), the one convention of the whole page, from
 * lib/format/bytes.ts as the CLI prints them; a dash for anything not finite.
 */
export function formatBytes(
  bytes: number | null | undefined,
  options: { digits?: number } = {},
): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '—';
  return formatByteCount(bytes, options);
}

/** The binary unit a chart's byte axis is drawn in: GiB, or larger when the values are huge. */
export interface ByteAxisUnit {
  unit: (typeof BINARY_UNITS)[number];
  bytesPerUnit: number;
}

/** GiB unless the largest value reaches 1,000 GiB, then TiB or PiB, as formatBytes switches. */
export function byteAxisUnit(maxBytes: number): ByteAxisUnit {
  let power = 3;
  while (power < BINARY_UNITS.length - 1 && Math.abs(maxBytes) >= 1000 * 1024 ** power) {
    power += 1;
  }
  return { unit: BINARY_UNITS[power] ?? 'GiB', bytesPerUnit: 1024 ** power };
}

/** An integer with thousands separators; a dash for null or anything not finite. */
export function formatInt(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

/** A count such as parameters in short form (`70.55 B`, `8.03 B`, `512 M`). */
export function formatCount(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(0)} M`;
  return formatInt(value);
}

/** A rate with one decimal (`42.3`); a dash when not finite. */
export function formatRate(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return value >= 100 ? formatInt(value) : value.toFixed(1);
}

/** US dollars with two decimals and thousands separators (`$1,234.50`); a dash when not finite. */
export function formatUsd(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  const digits = { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  return `$${value.toLocaleString('en-US', digits)}`;
}

/** Tokens in short form (`128k`, `1M`, `3,000`). */
export function formatTokens(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value >= 1_048_576 && value % 1_048_576 === 0) return `${value / 1_048_576}M`;
  if (value >= 1024 && value % 1024 === 0) return `${value / 1024}k`;
  return formatInt(value);
}
