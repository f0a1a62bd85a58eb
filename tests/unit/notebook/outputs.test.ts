// Code-cell outputs are capped: the first 200, about 1 MB in all, then a note of how many more.
import { describe, expect, it } from 'vitest';
import {
  capOutputs,
  leftOutNote,
  MAX_CELL_OUTPUT_CHARS,
  MAX_CELL_OUTPUTS,
} from '../../../workers/sandbox/outputs.ts';
import type { CellOutput } from '../../../workers/sandbox/protocol.ts';

const numbered = (n: number): CellOutput[] =>
  Array.from({ length: n }, (_, i) => ({ label: null, value: i }));

describe('capOutputs', () => {
  it('keeps every output of a cell under the caps, adding no note', () => {
    expect(capOutputs(numbered(3))).toEqual(numbered(3));
  });

  it('shows the first 200 of a million and says how many were left out', () => {
    // 200 kept here, 999,700 never kept by display(), 100 over the count here.
    const shown = capOutputs(numbered(300), 999_700);
    expect(MAX_CELL_OUTPUTS).toBe(200);
    expect(shown).toHaveLength(201);
    expect(shown.slice(0, 200)).toEqual(numbered(200));
    expect(shown[200]).toEqual({
      label: null,
      value:
        '999,800 more outputs left out: a cell shows its first 200 outputs, ' +
        '1,000,000 characters at most',
    });
  });

  it('stops at about 1 MB, replacing the output that would pass it with its size', () => {
    const big = 'x'.repeat(400_000); // 400,002 characters as JSON, with the quotes
    const outputs: CellOutput[] = [
      { label: 'a', value: big },
      { label: 'b', value: big },
      { label: 'c', value: big },
      { label: 'd', value: 1 },
    ];
    const shown = capOutputs(outputs);
    expect(MAX_CELL_OUTPUT_CHARS).toBe(1_000_000);
    // 2 x 400,002 = 800,004 fit; a third would make 1,200,006.
    expect(shown.map((o) => o.label)).toEqual(['a', 'b', 'c', null]);
    expect(shown[2]?.value).toBe('[not shown: 400,002 characters, more than a cell shows]');
    expect(shown[3]?.value).toBe(leftOutNote(1));
    expect(leftOutNote(1)).toMatch(/^1 more output left out/);
  });
});
