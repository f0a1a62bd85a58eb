// Writes a code cell's output values as text that keeps what JSON loses: NaN, ±∞, undefined, -0.

import { formatInt } from './format.ts';

/** The text of a number JSON cannot write (NaN, ±Infinity, -0), or null for one it can. */
function specialNumber(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return Object.is(value, -0) ? '-0' : null;
}

/** One value shown inline: numbers grouped, NaN, Infinity, undefined and -0 as themselves. */
export function scalarText(value: unknown): string {
  if (typeof value === 'number') {
    const special = specialNumber(value);
    if (special !== null) return special;
    return Number.isInteger(value) ? formatInt(value) : String(Number(value.toPrecision(6)));
  }
  if (typeof value === 'string') return value;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  return outputJson(value);
}

const MARK = '\u0000hw:';

/**
 * `value` as indented JSON, except that NaN, Infinity, -Infinity, -0 and undefined (in an
 * object or an array) are written as themselves instead of turning into null or vanishing.
 */
export function outputJson(value: unknown, indent = 2): string {
  const text = JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (item === undefined) return `${MARK}undefined`;
      if (typeof item === 'number') {
        const special = specialNumber(item);
        return special === null ? item : `${MARK}${special}`;
      }
      return item;
    },
    indent,
  );
  return text.replace(/"\\u0000hw:([-A-Za-z0-9]+)"/g, '$1');
}
