// Words whatever a code cell threw as one readable message, Error or not.

/** Longest rendering of a thrown non-Error value, in characters. */
const MAX_THROWN_CHARS = 200;

function rendered(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value);
  const kind = Array.isArray(value) ? 'an array' : 'an object';
  try {
    return JSON.stringify(value) ?? `${kind} that JSON cannot show`;
  } catch {
    return `${kind} that JSON cannot show (it refers to itself, or holds a BigInt)`;
  }
}

/**
 * The message for a thrown value: an Error's own message; for anything else (`throw {code: 1}`,
 * `throw 'no'`) what was thrown, shown as data and cut to a readable length, never
 * "[object Object]".
 */
export function thrownMessage(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  const text = rendered(thrown);
  const shown = text.length > MAX_THROWN_CHARS ? `${text.slice(0, MAX_THROWN_CHARS)}…` : text;
  return `the cell threw ${shown}, which is not an Error`;
}
