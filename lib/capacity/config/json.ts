// JSON parsing that also accepts the NaN and Infinity literals Python's json module writes.

import { CapacityError } from '../errors.ts';

/** Marks a NaN literal until the reviver turns it back into a number. */
const NAN_MARK = '\u0000hwledger-nan\u0000';

/**
 * Rewrites Python's non-standard literals outside strings: `Infinity` and `-Infinity` become
 * `1e999` / `-1e999` (which JSON.parse reads as infinities) and `NaN` a marked string.
 */
function standardise(text: string): string {
  let out = '';
  let inString = false;
  let index = 0;
  while (index < text.length) {
    const char = text.charAt(index);
    if (inString) {
      out += char;
      if (char === '\\') {
        out += text.charAt(index + 1);
        index += 2;
        continue;
      }
      if (char === '"') inString = false;
      index += 1;
      continue;
    }
    if (char === '"') inString = true;
    if (text.startsWith('Infinity', index)) {
      out += '1e999';
      index += 'Infinity'.length;
      continue;
    }
    if (text.startsWith('NaN', index)) {
      out += JSON.stringify(NAN_MARK);
      index += 'NaN'.length;
      continue;
    }
    out += char;
    index += 1;
  }
  return out;
}

/**
 * Parses config.json text. Python writes `NaN`, `Infinity` and `-Infinity` for float fields
 * (Nemotron-H's `time_step_limit`), so they are read as the numbers they name; anything else
 * that is not JSON is an `invalid_json` error.
 */
export function parseConfigJson(text: string): unknown {
  try {
    return JSON.parse(standardise(text), (_, value: unknown) =>
      value === NAN_MARK ? Number.NaN : value,
    ) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CapacityError('invalid_json', `config is not valid JSON: ${reason}`, {
      field: '(config)',
      expected: 'a JSON object',
    });
  }
}
