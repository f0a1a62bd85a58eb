// Re-running after another tab's edit: only new and edited cells, or all after a reorder.
import { describe, expect, it } from 'vitest';
import { cellsToRerun } from '../../../lib/notebook/changes.ts';
import {
  defaultPlanInputs,
  deleteCell,
  insertCell,
  moveCell,
  newNotebook,
  replaceCell,
  type Cell,
} from '../../../lib/notebook/model.ts';

const cells: Cell[] = [
  { id: 'm', kind: 'markdown', source: '# notes' },
  { id: 'p', kind: 'plan', name: 'p', inputs: defaultPlanInputs() },
  { id: 'c', kind: 'code', source: 'export const x = p' },
];
const base = newNotebook('t', cells);

describe('cellsToRerun', () => {
  it('names nothing when only the title changed', () => {
    expect(cellsToRerun(base, { ...base, title: 'new' })).toEqual([]);
  });

  it('names an edited cell', () => {
    const plan = { ...defaultPlanInputs(), contextTokens: 65536 };
    const after = replaceCell(base, { id: 'p', kind: 'plan', name: 'p', inputs: plan });
    expect(cellsToRerun(base, after)).toEqual(['p']);
  });

  it('names an added cell', () => {
    const after = insertCell(base, { id: 'n', kind: 'code', source: '' }, 3);
    expect(cellsToRerun(base, after)).toEqual(['n']);
  });

  it('runs everything after a removal or a move', () => {
    expect(cellsToRerun(base, deleteCell(base, 'm'))).toBe('all');
    expect(cellsToRerun(base, moveCell(base, 'c', -1))).toBe('all');
  });
});
