// Importing notebook files: each refusal names the file and says what was expected.
import { describe, expect, it } from 'vitest';
import {
  MAX_NOTEBOOK_FILE_BYTES,
  NotebookFileError,
  notebookFileSizeProblem,
  notebookFromFileText,
  notebookToFileText,
} from '../../../lib/notebook/file.ts';
import { newNotebook } from '../../../lib/notebook/model.ts';

function refusal(text: string, fileName = 'plans.hwledger.json'): NotebookFileError {
  try {
    notebookFromFileText(text, 'new-id', fileName);
  } catch (error) {
    if (error instanceof NotebookFileError) return error;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('notebook file import', () => {
  it.each([[''], ['   \n\t']])('calls an empty file empty (%j)', (text) => {
    const { message } = refusal(text);
    expect(message).toMatch(/^plans\.hwledger\.json is empty: expected a hwLedger notebook/);
    expect(message).not.toMatch(/Unexpected|JSON input/);
  });

  it('quotes the start of a file that is not JSON', () => {
    const { message } = refusal('hello world, this is a text file', 'notes.txt');
    expect(message).toMatch(/^notes\.txt is not JSON \(it starts “hello world, this is a t”\)/);
    expect(message).toContain('*.hwledger.json');
  });

  it('names the field at fault in a JSON file that is no notebook', () => {
    const error = refusal(JSON.stringify({ format: 1, id: 'x', title: 't', cells: 'none' }));
    expect(error.field).toBe('cells');
    expect(error.message).toMatch(/^plans\.hwledger\.json is not a valid notebook: cells must be/);
  });

  it("recognises a model's config.json and says where it belongs", () => {
    const { message } = refusal(JSON.stringify({ model_type: 'llama', hidden_size: 4096 }));
    expect(message).toContain("is a model's config.json, not a notebook");
  });

  it('reads a file that starts with a byte order mark', () => {
    const notebook = newNotebook('BOM');
    const back = notebookFromFileText(`\uFEFF${notebookToFileText(notebook)}`, 'new-id');
    expect(back.title).toBe('BOM');
  });

  it('refuses a file larger than any notebook before reading it', () => {
    expect(notebookFileSizeProblem('movie.json', MAX_NOTEBOOK_FILE_BYTES)).toBeNull();
    // 3 GiB = 3072 MiB, over the 128 MiB limit.
    expect(notebookFileSizeProblem('movie.json', 3 * 2 ** 30)).toMatch(
      /^movie\.json is 3072 MiB, larger than any notebook \(at most 128 MiB\)/,
    );
  });
});
