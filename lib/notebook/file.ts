// Notebook files: export as pretty JSON, import from text with every field checked.

import type { Notebook } from './model.ts';
import { NotebookFormatError, parseNotebook } from './validate.ts';

/** Suffix of exported notebook files. */
export const NOTEBOOK_FILE_SUFFIX = '.hwledger.json';

/**
 * Largest notebook file read on import, in bytes: 500 cells of 200,000 characters each fit
 * well inside it, and a wrongly picked video or disk image is refused before it is read.
 */
export const MAX_NOTEBOOK_FILE_BYTES = 128 * 2 ** 20;

/** What an imported file should be, said at the end of every import error. */
const EXPECTED =
  'expected a hwLedger notebook (the JSON file that Export file writes, ' +
  `*${NOTEBOOK_FILE_SUFFIX})`;

/** A notebook file that cannot be imported; the message names the file and what was expected. */
export class NotebookFileError extends Error {
  /** The field at fault (`cells[2].name`), or null when the file is not a notebook at all. */
  readonly field: string | null;

  constructor(message: string, field: string | null = null) {
    super(message);
    this.name = 'NotebookFileError';
    this.field = field;
  }
}

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

/** The refusal of a file of `sizeBytes` bytes, or null when it is small enough to read. */
export function notebookFileSizeProblem(fileName: string, sizeBytes: number): string | null {
  if (sizeBytes <= MAX_NOTEBOOK_FILE_BYTES) return null;
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  return (
    `${fileName} is ${mib(sizeBytes)}, larger than any notebook ` +
    `(at most ${mib(MAX_NOTEBOOK_FILE_BYTES)}): ${EXPECTED}.`
  );
}

function looksLikeModelConfig(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || 'cells' in raw) return false;
  return 'model_type' in raw || 'architectures' in raw;
}

function parseJson(text: string, fileName: string): unknown {
  if (text.trim() === '') throw new NotebookFileError(`${fileName} is empty: ${EXPECTED}.`);
  try {
    return JSON.parse(text);
  } catch {
    const start = text.trim().slice(0, 24).replace(/\s+/g, ' ');
    throw new NotebookFileError(`${fileName} is not JSON (it starts “${start}”): ${EXPECTED}.`);
  }
}

/**
 * Reads a notebook file's text; the result gets `id` (imports never overwrite a stored
 * notebook). Throws NotebookFileError naming the file and, for a malformed notebook, the field.
 */
export function notebookFromFileText(text: string, id: string, fileName = 'The file'): Notebook {
  const raw = parseJson(text.replace(/^\uFEFF/, ''), fileName);
  if (looksLikeModelConfig(raw)) {
    throw new NotebookFileError(
      `${fileName} is a model's config.json, not a notebook: open a notebook and give it to a ` +
        'plan cell (model: config.json) instead.',
    );
  }
  try {
    return { ...parseNotebook(raw), id };
  } catch (error) {
    if (!(error instanceof NotebookFormatError)) throw error;
    throw new NotebookFileError(
      `${fileName} is not a valid notebook: ${error.message} (${EXPECTED}).`,
      error.path,
    );
  }
}
