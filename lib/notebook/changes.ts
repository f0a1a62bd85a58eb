// What changed between two versions of a notebook, to re-run only what another tab edited.

import type { Notebook } from './model.ts';

/**
 * The cells to run after `after` replaces `before`: the new and edited cells (the runner adds
 * their dependants), or `all` when cells were removed or reordered, since either can change
 * which names each cell sees.
 */
export function cellsToRerun(before: Notebook, after: Notebook): string[] | 'all' {
  const old = new Map(before.cells.map((cell) => [cell.id, cell]));
  const kept = after.cells.filter((cell) => old.has(cell.id)).map((cell) => cell.id);
  const oldOrder = before.cells.map((cell) => cell.id);
  if (kept.length !== oldOrder.length || kept.some((id, i) => id !== oldOrder[i])) return 'all';
  return after.cells
    .filter((cell) => {
      const previous = old.get(cell.id);
      return previous === undefined || JSON.stringify(previous) !== JSON.stringify(cell);
    })
    .map((cell) => cell.id);
}
