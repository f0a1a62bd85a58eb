// Number formatting for the page: bytes in GiB (2^30) or GB (10^9), tokens, rates; never NaN.

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/** Bytes as binary units (`12.34 GiB`, `512.0 MiB`); a dash for anything not finite. */
export function formatBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '—';
  if (Math.abs(bytes) >= GIB) return `${(bytes / GIB).toFixed(2)} GiB`;
  if (Math.abs(bytes) >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${Math.round(bytes).toLocaleString('en-US')} B`;
}

/** Bytes in decimal gigabytes (`24.0 GB`), as vendors label cards. */
export function formatGB(bytes: number | null | undefined): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '—';
  return `${(bytes / 1e9).toFixed(1)} GB`;
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

/** US dollars with two decimals (`$1.23`); a dash when not finite. */
export function formatUsd(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return `$${value.toFixed(2)}`;
}

/** Tokens in short form (`128k`, `1M`, `3,000`). */
export function formatTokens(value: number | null | undefined): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value >= 1_048_576 && value % 1_048_576 === 0) return `${value / 1_048_576}M`;
  if (value >= 1024 && value % 1024 === 0) return `${value / 1024}k`;
  return formatInt(value);
}
