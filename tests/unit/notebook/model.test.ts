// Notebook model operations: insert, delete, move, replace keep order and never mutate.
import { describe, expect, it } from 'vitest';
import {
  deleteCell,
  freshName,
  insertCell,
  moveCell,
  newCell,
  newId,
  newNotebook,
  replaceCell,
  type Cell,
} from '../../../lib/notebook/model.ts';

function md(id: string): Cell {
  return { id, kind: 'markdown', source: id };
}

const base = newNotebook('t', [md('a'), md('b'), md('c')]);
const ids = (cells: readonly Cell[]): string[] => cells.map((cell) => cell.id);

describe('notebook model', () => {
  it.each([
    [0, ['x', 'a', 'b', 'c']],
    [1, ['a', 'x', 'b', 'c']],
    [3, ['a', 'b', 'c', 'x']],
    [99, ['a', 'b', 'c', 'x']],
    [-5, ['x', 'a', 'b', 'c']],
  ])('inserts a cell at index %i (clamped)', (index, expected) => {
    expect(ids(insertCell(base, md('x'), index).cells)).toEqual(expected);
  });

  it.each([
    ['a', -1, ['a', 'b', 'c']],
    ['b', -1, ['b', 'a', 'c']],
    ['b', 1, ['a', 'c', 'b']],
    ['c', 1, ['a', 'b', 'c']],
    ['a', 10, ['b', 'c', 'a']],
    ['zz', 1, ['a', 'b', 'c']],
  ])('moves cell %s by %i', (id, offset, expected) => {
    expect(ids(moveCell(base, id, offset).cells)).toEqual(expected);
  });

  it('deletes a cell by id and ignores unknown ids', () => {
    expect(ids(deleteCell(base, 'b').cells)).toEqual(['a', 'c']);
    expect(deleteCell(base, 'nope')).toBe(base);
  });

  it('replaces a cell in place', () => {
    const next = replaceCell(base, { id: 'b', kind: 'code', source: 'export const z = 1' });
    expect(next.cells[1]).toEqual({ id: 'b', kind: 'code', source: 'export const z = 1' });
    expect(base.cells[1]).toEqual(md('b'));
  });

  it('names a new plan cell with the first free planN', () => {
    const cell = newCell('plan', new Set(['plan1', 'plan2']));
    expect(cell.kind === 'plan' && cell.name).toBe('plan3');
    expect(freshName('x', new Set())).toBe('x1');
  });

  it('makes ids of 12 base-36 characters', () => {
    expect(newId(() => 0.5)).toBe('iiiiiiiiiiii');
    expect(newId()).toMatch(/^[0-9a-z]{12}$/);
  });
});
