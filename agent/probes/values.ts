// Reading one field of a tool's output: numbers, or null for the many ways tools say "unknown".

const UNKNOWN = new Set([
  '',
  'n/a',
  '[n/a]',
  '[not supported]',
  'not supported',
  '[unknown error]',
  'unknown',
  '[insufficient permissions]',
  '[gpu is lost]',
  '[requested functionality has been deprecated]',
]);

/** Whether a field's text is one of the tools' markers for a value they cannot give. */
export function isUnknownField(text: string): boolean {
  return UNKNOWN.has(text.trim().toLowerCase());
}

/**
 * The number in a field such as `24564`, `16.89` or `24564 MiB` (a trailing unit is allowed),
 * or null for `[N/A]`, `[Not Supported]`, empty text or anything that is not a finite number.
 */
export function numberField(text: string | number | null | undefined): number | null {
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  if (typeof text !== 'string' || isUnknownField(text)) return null;

  const match = /^\s*(-?\d+(?:\.\d+)?)(?:\s*[A-Za-z%°]+)?\s*$/.exec(text);
  if (!match?.[1]) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/** A field's number times `unitBytes`, rounded to whole bytes; null when unknown or negative. */
export function bytesField(text: string | number | null | undefined, unitBytes: number) {
  const value = numberField(text);
  if (value === null || value < 0) return null;
  return Math.round(value * unitBytes);
}

/** A field's text trimmed, or null when it is an unknown marker. */
export function textField(text: string | null | undefined): string | null {
  if (typeof text !== 'string' || isUnknownField(text)) return null;
  return text.trim();
}
