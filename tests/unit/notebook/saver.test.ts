// The notebook saver: one save at a time, newest version only, conflicts stop it and keep edits.
import { describe, expect, it } from 'vitest';
import { SaveConflictError } from '../../../app/_lib/db.ts';
import { NotebookSaver, type SaveFunction } from '../../../app/_lib/notebook-saver.ts';
import { newNotebook, renameNotebook, type Notebook } from '../../../lib/notebook/model.ts';

/** An in-memory table with the same revision rule as IndexedDB's (checked, then bumped). */
function memoryStore() {
  const rows = new Map<string, { notebook: Notebook; revision: number }>();
  const calls: { title: string; expectedRevision: number | undefined }[] = [];
  const save: SaveFunction = async (notebook, codeTrusted, options) => {
    await Promise.resolve();
    calls.push({ title: notebook.title, expectedRevision: options.expectedRevision });
    const row = rows.get(notebook.id);
    const current = row ? row.revision : null;
    if (options.expectedRevision !== undefined && current !== options.expectedRevision) {
      throw new SaveConflictError(row ? { ...row, codeTrusted } : null);
    }
    const revision = (current ?? 0) + 1;
    rows.set(notebook.id, { notebook, revision });
    return revision;
  };
  return { rows, calls, save };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('NotebookSaver', () => {
  it('saves the first version unconditionally and later ones at the revision it saw', async () => {
    const store = memoryStore();
    const saver = new NotebookSaver(null, store.save);
    const first = newNotebook('a');
    saver.save(first, true);
    await settled();
    saver.save(renameNotebook(first, 'b'), true);
    await settled();
    expect(store.calls).toEqual([
      { title: 'a', expectedRevision: undefined },
      { title: 'b', expectedRevision: 1 },
    ]);
    expect(saver.baseRevision).toBe(2);
    expect(saver.snapshot().state).toBe('saved');
  });

  it('skips the versions typed while a save is in flight, but stores the newest', async () => {
    const store = memoryStore();
    const saver = new NotebookSaver(null, store.save);
    let notebook = newNotebook('t');
    for (const title of ['t1', 't2', 't3', 't4']) {
      notebook = renameNotebook(notebook, title);
      saver.save(notebook, true);
    }
    await settled();
    await settled();
    expect(store.calls.map((c) => c.title)).toEqual(['t1', 't4']);
    expect(store.rows.get(notebook.id)?.notebook.title).toBe('t4');
  });

  it('stops at a conflict, keeps the edit, and leaves the other tab’s version alone', async () => {
    const store = memoryStore();
    const mine = newNotebook('shared');
    store.rows.set(mine.id, { notebook: renameNotebook(mine, 'theirs'), revision: 4 });
    const saver = new NotebookSaver({ notebook: mine, codeTrusted: true, revision: 3 }, store.save);
    saver.save(renameNotebook(mine, 'mine'), true);
    await settled();
    expect(saver.snapshot().state).toBe('conflict');
    expect(saver.snapshot().theirs?.notebook.title).toBe('theirs');
    expect(saver.idle).toBe(false);
    saver.save(renameNotebook(mine, 'mine, more'), true);
    await settled();
    expect(store.calls).toHaveLength(1);
    expect(store.rows.get(mine.id)?.notebook.title).toBe('theirs');
  });

  it('saves a copy under a new id after a conflict', async () => {
    const store = memoryStore();
    const mine = newNotebook('shared');
    store.rows.set(mine.id, { notebook: mine, revision: 2 });
    const saver = new NotebookSaver({ notebook: mine, codeTrusted: true, revision: 1 }, store.save);
    saver.save(renameNotebook(mine, 'mine'), true);
    await settled();
    const copy = { ...renameNotebook(mine, 'mine'), id: 'copy' };
    saver.save(copy, true);
    await settled();
    expect(saver.snapshot().state).toBe('saved');
    expect(store.rows.get('copy')).toEqual({ notebook: copy, revision: 1 });
    expect(store.rows.get(mine.id)?.revision).toBe(2);
  });

  it('reports a deleted row and stores the notebook again when asked', async () => {
    const store = memoryStore();
    const mine = newNotebook('gone');
    const saver = new NotebookSaver({ notebook: mine, codeTrusted: true, revision: 5 }, store.save);
    saver.save(renameNotebook(mine, 'edited'), true);
    await settled();
    expect(saver.snapshot()).toEqual({ state: 'conflict', theirs: null, failure: null });
    saver.saveAgain();
    await settled();
    expect(saver.snapshot().state).toBe('saved');
    expect(store.rows.get(mine.id)?.notebook.title).toBe('edited');
  });

  it('does not store the version it opened again', async () => {
    const store = memoryStore();
    const opened = newNotebook('opened');
    const saver = new NotebookSaver(
      { notebook: opened, codeTrusted: false, revision: 7 },
      store.save,
    );
    saver.save(opened, false);
    await settled();
    expect(store.calls).toEqual([]);
    saver.save(opened, true);
    await settled();
    expect(store.calls).toEqual([{ title: 'opened', expectedRevision: 7 }]);
  });

  it('says why storage refused a save and retries with the next edit', async () => {
    let refuse = true;
    const store = memoryStore();
    const saver = new NotebookSaver(null, async (...args) => {
      if (refuse) throw new Error('QuotaExceededError: the disk is full');
      return store.save(...args);
    });
    const notebook = newNotebook('big');
    saver.save(notebook, true);
    await settled();
    expect(saver.snapshot()).toMatchObject({ state: 'failed', failure: /disk is full/ });
    refuse = false;
    saver.save(renameNotebook(notebook, 'smaller'), true);
    await settled();
    expect(saver.snapshot().state).toBe('saved');
  });
});
