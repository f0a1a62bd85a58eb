// Wording built from data: plurals and cell names.
import { describe, expect, it } from 'vitest';
import { defaultPlanInputs } from '../../../lib/notebook/model.ts';
import { cellLabel, countOf } from '../../../lib/notebook/wording.ts';

describe('countOf', () => {
  it.each([
    [0, '0 cells'],
    [1, '1 cell'],
    [2, '2 cells'],
    [1500, '1,500 cells'],
  ])('says %i as %s', (count, text) => {
    expect(countOf(count, 'cell')).toBe(text);
  });

  it('takes an irregular plural', () => {
    expect(countOf(2, 'copy', 'copies')).toBe('2 copies');
  });
});

describe('cellLabel', () => {
  it('names a plan cell by its name and other cells by their place', () => {
    const plan = { id: 'p', kind: 'plan' as const, name: 'big', inputs: defaultPlanInputs() };
    expect(cellLabel(plan, 0)).toBe('plan cell “big”');
    expect(cellLabel({ id: 'm', kind: 'markdown', source: '' }, 2)).toBe('text cell 3');
    expect(cellLabel({ id: 'c', kind: 'code', source: '' }, 0)).toBe('code cell 1');
  });
});
