// Notebook storage in IndexedDB (dexie): save as the user types, list, load and delete.

import Dexie, { type EntityTable } from 'dexie';
import type { Notebook } from '../../lib/notebook/model.ts';
import { parseNotebook } from '../../lib/notebook/validate.ts';

/** A stored notebook row: the notebook plus fields indexed for the home page list. */
interface NotebookRow {
  id: string;
  title: string;
  updatedAtMs: number;
  notebook: Notebook;
  /** False for notebooks from a link or a file until the user chooses to run their code. */
  codeTrusted?: boolean;
}

class HwLedgerDb extends Dexie {
  notebooks!: EntityTable<NotebookRow, 'id'>;

  constructor() {
    super('hwledger');
    this.version(1).stores({ notebooks: 'id, updatedAtMs' });
  }
}

let db: HwLedgerDb | null = null;

function open(): HwLedgerDb {
  db ??= new HwLedgerDb();
  return db;
}

/**
 * Saves (inserts or replaces) a notebook under its id. `codeTrusted` is false for a notebook
 * that came from a link or a file and whose code the user has not chosen to run.
 */
export async function saveNotebook(notebook: Notebook, codeTrusted = true): Promise<void> {
  await open().notebooks.put({
    id: notebook.id,
    title: notebook.title,
    updatedAtMs: notebook.updatedAtMs,
    notebook,
    codeTrusted,
  });
}

/** The stored notebook `id` (checked field by field) and whether its code may run, or null. */
export async function loadNotebook(
  id: string,
): Promise<{ notebook: Notebook; codeTrusted: boolean } | null> {
  const row = await open().notebooks.get(id);
  if (!row) return null;
  return { notebook: parseNotebook(row.notebook), codeTrusted: row.codeTrusted !== false };
}

/** Summary of each stored notebook, most recently edited first. */
export async function listNotebooks(): Promise<
  { id: string; title: string; updatedAtMs: number; cells: number }[]
> {
  const rows = await open().notebooks.orderBy('updatedAtMs').reverse().toArray();
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    updatedAtMs: row.updatedAtMs,
    cells: row.notebook.cells.length,
  }));
}

/** Deletes the stored notebook `id`. */
export async function deleteNotebook(id: string): Promise<void> {
  await open().notebooks.delete(id);
}
