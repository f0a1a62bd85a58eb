// Notebook storage in IndexedDB (dexie): revision-checked saves, list, load, delete and restore.

import type { Dexie, EntityTable } from 'dexie';
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
  /** Counts the saves of this row; rows written before revisions existed read as 0. */
  revision?: number;
}

/** The app's database: one table of notebooks. */
type HwLedgerDb = Dexie & { notebooks: EntityTable<NotebookRow, 'id'> };

let database: Promise<HwLedgerDb> | null = null;

/**
 * Opens the database, loading dexie on first use: a notebook opened from an example or a link
 * shows its first plans without it, and storage follows when something is saved or listed.
 */
function open(): Promise<HwLedgerDb> {
  database ??= import('dexie').then(
    ({ default: DexieClass }) => {
      const opened = new DexieClass('hwledger') as HwLedgerDb;
      opened.version(1).stores({ notebooks: 'id, updatedAtMs' });
      return opened;
    },
    (error: unknown) => {
      database = null;
      throw error;
    },
  );
  return database;
}

/** A notebook as stored: whether its code may run and which save of it this is. */
export interface StoredNotebook {
  notebook: Notebook;
  codeTrusted: boolean;
  revision: number;
}

function stored(row: NotebookRow): StoredNotebook {
  return {
    notebook: parseNotebook(row.notebook),
    codeTrusted: row.codeTrusted !== false,
    revision: row.revision ?? 0,
  };
}

/**
 * A save refused because another tab saved (or deleted) the notebook since this tab read it;
 * `stored` is what is there now (null when it was deleted), so nothing is overwritten unseen.
 */
export class SaveConflictError extends Error {
  readonly stored: StoredNotebook | null;

  constructor(stored: StoredNotebook | null) {
    super(stored ? 'The notebook was changed in another tab.' : 'The notebook was deleted.');
    this.name = 'SaveConflictError';
    this.stored = stored;
  }
}

/** A change to stored notebooks, told to the other tabs of this browser. */
export interface NotebookChange {
  kind: 'saved' | 'deleted' | 'restored';
  id: string;
  revision: number;
}

const CHANNEL_NAME = 'hwledger-notebooks';

let channel: BroadcastChannel | null | undefined;

/** This tab's channel to the others; null where the browser has no BroadcastChannel. */
function changeChannel(): BroadcastChannel | null {
  if (channel === undefined) {
    channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;
  }
  return channel;
}

function announce(change: NotebookChange): void {
  changeChannel()?.postMessage(change);
}

/**
 * Calls `listener` for each change another tab makes to stored notebooks (this tab's own saves
 * are not echoed back); returns the unsubscribe function.
 */
export function onNotebookChange(listener: (change: NotebookChange) => void): () => void {
  const source = changeChannel();
  if (!source) return () => undefined;
  const handle = (event: MessageEvent<NotebookChange>) => listener(event.data);
  source.addEventListener('message', handle);
  return () => source.removeEventListener('message', handle);
}

/**
 * Saves (inserts or replaces) a notebook under its id and returns its new revision.
 * `codeTrusted` is false for a notebook from a link or a file whose code the user has not
 * chosen to run. With `expectedRevision`, the save happens only if the stored row is still at
 * that revision, checked in the same transaction; otherwise it throws SaveConflictError.
 */
export async function saveNotebook(
  notebook: Notebook,
  codeTrusted = true,
  options: { expectedRevision?: number } = {},
): Promise<number> {
  const db = await open();
  const table = db.notebooks;
  const revision = await db.transaction('rw', table, async () => {
    const row = await table.get(notebook.id);
    const current = row ? (row.revision ?? 0) : null;
    const { expectedRevision } = options;
    if (expectedRevision !== undefined && current !== expectedRevision) {
      throw new SaveConflictError(row ? stored(row) : null);
    }
    const next = (current ?? 0) + 1;
    await table.put({
      id: notebook.id,
      title: notebook.title,
      updatedAtMs: notebook.updatedAtMs,
      notebook,
      codeTrusted,
      revision: next,
    });
    return next;
  });
  announce({ kind: 'saved', id: notebook.id, revision });
  return revision;
}

/** The stored notebook `id` (checked field by field), or null. */
export async function loadNotebook(id: string): Promise<StoredNotebook | null> {
  const row = await (await open()).notebooks.get(id);
  return row ? stored(row) : null;
}

/** Summary of each stored notebook, most recently edited first. */
export async function listNotebooks(): Promise<
  { id: string; title: string; updatedAtMs: number; cells: number }[]
> {
  const rows = await (await open()).notebooks.orderBy('updatedAtMs').reverse().toArray();
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    updatedAtMs: row.updatedAtMs,
    cells: row.notebook.cells.length,
  }));
}

/** A deleted notebook exactly as it was stored, kept so that the deletion can be undone. */
export interface DeletedNotebook {
  readonly row: Readonly<NotebookRow>;
}

/** Deletes the stored notebook `id` and returns it for restoreNotebook, or null if absent. */
export async function takeNotebook(id: string): Promise<DeletedNotebook | null> {
  const db = await open();
  const table = db.notebooks;
  const row = await db.transaction('rw', table, async () => {
    const found = await table.get(id);
    if (found) await table.delete(id);
    return found;
  });
  if (!row) return null;
  announce({ kind: 'deleted', id, revision: row.revision ?? 0 });
  return { row };
}

/**
 * Puts a deleted notebook back exactly as it was (contents, trust, revision and edit time, so
 * it returns to its place in the list). A notebook saved under its id since then is kept.
 */
export async function restoreNotebook(deleted: DeletedNotebook): Promise<void> {
  const db = await open();
  const table = db.notebooks;
  const { row } = deleted;
  await db.transaction('rw', table, async () => {
    if (!(await table.get(row.id))) await table.add({ ...row });
  });
  announce({ kind: 'restored', id: row.id, revision: row.revision ?? 0 });
}

/** Deletes the stored notebook `id`. */
export async function deleteNotebook(id: string): Promise<void> {
  await takeNotebook(id);
}
