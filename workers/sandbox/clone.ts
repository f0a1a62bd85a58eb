// Makes any value safe to post out of the sandbox: plain data only, bounded in size and depth.

const MAX_DEPTH = 8;
const MAX_ITEMS = 2000;
const MAX_STRING = 100_000;

/**
 * A structured-clone-safe copy of `value`: functions and symbols become descriptive strings,
 * bigints strings, Maps and Sets arrays, cycles and anything deeper than 8 levels a marker;
 * arrays and objects keep at most 2000 entries.
 */
export function toPlainData(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string')
    return value.length > MAX_STRING ? value.slice(0, MAX_STRING) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return `${value.toString()}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value !== 'object') return String(value);
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  seen.add(value);
  const next = (item: unknown): unknown => toPlainData(item, depth + 1, seen);
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} of ${value.byteLength} bytes]`;
  if (value instanceof Map) return [...value.entries()].slice(0, MAX_ITEMS).map(next);
  if (value instanceof Set) return [...value.values()].slice(0, MAX_ITEMS).map(next);
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map(next);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).slice(0, MAX_ITEMS)) {
    out[key] = next((value as Record<string, unknown>)[key]);
  }
  return out;
}
