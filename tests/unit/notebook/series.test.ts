// Which code-cell tables are drawn as line charts.
import { describe, expect, it } from 'vitest';
import { numericColumns } from '../../../app/_lib/series.ts';

describe('numericColumns', () => {
  it.each([
    [
      'numbers with increasing x',
      [
        { tokens: 1024, a: 1, b: 2 },
        { tokens: 2048, a: 2, b: 2 },
      ],
      ['tokens', 'a', 'b'],
    ],
    ['a single row', [{ x: 1, y: 2 }], null],
    ['a single column', [{ x: 1 }, { x: 2 }], null],
    [
      'a text value',
      [
        { x: 1, y: 'a' },
        { x: 2, y: 3 },
      ],
      null,
    ],
    [
      'x not increasing',
      [
        { x: 2, y: 1 },
        { x: 1, y: 1 },
      ],
      null,
    ],
    [
      'a non-finite value',
      [
        { x: 1, y: Infinity },
        { x: 2, y: 1 },
      ],
      null,
    ],
  ])('draws %s: %j', (_name, rows, expected) => {
    expect(numericColumns(rows)).toEqual(expected);
  });
});
