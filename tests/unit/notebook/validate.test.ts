// Notebook validation and files: untrusted data is checked field by field.
import { describe, expect, it } from 'vitest';
import {
  notebookFileName,
  notebookFromFileText,
  notebookToFileText,
} from '../../../lib/notebook/file.ts';
import { defaultPlanInputs, newNotebook } from '../../../lib/notebook/model.ts';
import { NotebookFormatError, parseNotebook } from '../../../lib/notebook/validate.ts';

const good = newNotebook('Plans', [
  { id: 'a', kind: 'plan', name: 'p', inputs: defaultPlanInputs() },
  { id: 'b', kind: 'code', source: 'export const x = p' },
]);

function pathOf(value: unknown): string {
  try {
    parseNotebook(value);
  } catch (error) {
    if (error instanceof NotebookFormatError) return error.path;
    throw error;
  }
  return 'accepted';
}

describe('parseNotebook', () => {
  it('accepts a valid notebook unchanged', () => {
    expect(parseNotebook(JSON.parse(JSON.stringify(good)))).toEqual(good);
  });

  const planAt = (patch: Record<string, unknown>): unknown => ({
    ...good,
    cells: [{ ...good.cells[0], inputs: { ...defaultPlanInputs(), ...patch } }],
  });

  it.each([
    [null, ''],
    [{ ...good, format: 2 }, 'format'],
    [{ ...good, cells: 'x' }, 'cells'],
    [{ ...good, cells: [{ id: 'a', kind: 'video' }] }, 'cells[0].kind'],
    [{ ...good, cells: [{ id: 'a', kind: 'plan', name: '1x', inputs: {} }] }, 'cells[0].name'],
    [planAt({ gpus: 0 }), 'cells[0].inputs.gpus'],
    [planAt({ contextTokens: 1.5 }), 'cells[0].inputs.contextTokens'],
    [planAt({ engine: 'tgi' }), 'cells[0].inputs.engine'],
    [planAt({ model: { kind: 'url' } }), 'cells[0].inputs.model.kind'],
    [planAt({ priceUsdPerGpuHour: -1 }), 'cells[0].inputs.priceUsdPerGpuHour'],
    [{ ...good, cells: [good.cells[1], good.cells[1]] }, 'cells[1].id'],
  ])('rejects bad data at the field it names (%#)', (value, path) => {
    expect(pathOf(value)).toBe(path);
  });
});

describe('notebook files', () => {
  it('round-trips through file text with a fresh id', () => {
    const back = notebookFromFileText(notebookToFileText(good), 'new-id');
    expect(back).toEqual({ ...good, id: 'new-id' });
  });

  it('names bad JSON as the fault', () => {
    expect(() => notebookFromFileText('{', 'x')).toThrow(/The file is not JSON/);
  });

  it.each([
    ['Llama 70B on 2× 24 GB!', 'llama-70b-on-2-24-gb.hwledger.json'],
    ['***', 'notebook.hwledger.json'],
  ])('makes a file name from the title %j', (title, expected) => {
    expect(notebookFileName({ title })).toBe(expected);
  });
});
