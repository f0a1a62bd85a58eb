// Words the notebook UI builds from data: counts with the right plural, names of cells.

import type { Cell } from './model.ts';

/** `1 cell`, `2 cells`, `0 cells`: a count with its noun in the right number. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

const KIND_NAMES: Record<Cell['kind'], string> = {
  markdown: 'text',
  plan: 'plan',
  code: 'code',
};

/** How a cell is named in messages: `plan cell “llama70b”`, `text cell 3`. */
export function cellLabel(cell: Cell, index: number): string {
  const kind = KIND_NAMES[cell.kind];
  return cell.kind === 'plan' && cell.name
    ? `${kind} cell “${cell.name}”`
    : `${kind} cell ${index + 1}`;
}
