// Caps what one code cell shows: the first outputs up to a count and a size, then a note.

import type { CellOutput } from './protocol.ts';

/** Most outputs (exports and `display()` calls together) one cell shows. */
export const MAX_CELL_OUTPUTS = 200;

/** Most characters of outputs (as JSON) one cell shows, about 1 MB. */
export const MAX_CELL_OUTPUT_CHARS = 1_000_000;

/** Characters `value` takes as JSON (a value JSON cannot write counts as a short one). */
function jsonChars(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 9;
  } catch {
    return 9;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** The note shown after the outputs of a cell that produced more than it may show. */
export function leftOutNote(leftOut: number): string {
  return (
    `${count(leftOut)} more output${leftOut === 1 ? '' : 's'} left out: a cell shows its ` +
    `first ${count(MAX_CELL_OUTPUTS)} outputs, ${count(MAX_CELL_OUTPUT_CHARS)} characters at most`
  );
}

/**
 * The outputs a cell shows: the first ones, in order, up to MAX_CELL_OUTPUTS and
 * MAX_CELL_OUTPUT_CHARS; an output that would pass the size cap is replaced by a note of its
 * size, and when any were left out (`leftOutBefore` counts those never kept) a last output says
 * how many. So a loop of a million `display()` calls floods nothing.
 */
export function capOutputs(outputs: readonly CellOutput[], leftOutBefore = 0): CellOutput[] {
  const shown: CellOutput[] = [];
  let chars = 0;
  let leftOut = leftOutBefore;
  for (const output of outputs) {
    if (shown.length >= MAX_CELL_OUTPUTS || chars >= MAX_CELL_OUTPUT_CHARS) {
      leftOut += 1;
      continue;
    }
    const size = jsonChars(output.value);
    if (chars + size > MAX_CELL_OUTPUT_CHARS) {
      const note = `[not shown: ${count(size)} characters, more than a cell shows]`;
      shown.push({ label: output.label, value: note });
      chars = MAX_CELL_OUTPUT_CHARS;
      continue;
    }
    chars += size;
    shown.push(output);
  }
  if (leftOut > 0) shown.push({ label: null, value: leftOutNote(leftOut) });
  return shown;
}
