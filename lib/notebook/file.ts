// Notebook files: export as pretty JSON, import from text with every field checked.

import type { Notebook } from './model.ts';
import { NotebookFormatError, parseNotebook } from './validate.ts';

/** Suffix of exported notebook files. */
export const NOTEBOOK_FILE_SUFFIX = '.hwledger.json';

/** A notebook as the text of a `.hwledger.json` file (JSON, two-space indent). */
export function notebookToFileText(notebook: Notebook): string {
  return `${JSON.stringify(notebook, null, 2)}\n`;
}

/** A safe file name for a notebook: its title in kebab case plus the suffix. */
export function notebookFileName(notebook: Pick<Notebook, 'title'>): string {
  const base = notebook.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${base || 'notebook'}${NOTEBOOK_FILE_SUFFIX}`;
}

/**
 * Reads a notebook file's text; the result gets `id` (imports never overwrite a stored
 * notebook). Throws NotebookFormatError naming the field at fault, or `json` for bad JSON.
 */
export function notebookFromFileText(text: string, id: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new NotebookFormatError('json', 'valid JSON');
  }
  const checked = parseNotebook(raw);
  return { ...checked, id };
}
