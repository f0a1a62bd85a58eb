// Keeps one open notebook in step with storage and with other tabs showing the same notebook.
'use client';

import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { Notebook } from '../../lib/notebook/model.ts';
import { loadNotebook, onNotebookChange, type StoredNotebook } from './db.ts';
import { NotebookSaver, type SaverSnapshot } from './notebook-saver.ts';

/**
 * Saves each version of a persisted notebook (revision-checked), and shows another tab's newer
 * version here through `onRemote` whenever this tab has no unsaved edits; with unsaved edits
 * the other version is not taken and the next save reports the conflict instead.
 */
export function useNotebookSync(options: {
  notebook: Notebook;
  persisted: boolean;
  codeTrusted: boolean;
  /** The stored revision this tab opened, or null for a notebook not stored yet. */
  baseRevision: number | null;
  onRemote: (stored: StoredNotebook) => void;
}): { saver: NotebookSaver; snapshot: SaverSnapshot } {
  const { notebook, persisted, codeTrusted, baseRevision } = options;
  const ref = useRef<NotebookSaver | null>(null);
  ref.current ??= new NotebookSaver(
    baseRevision === null ? null : { notebook, codeTrusted, revision: baseRevision },
  );
  const saver = ref.current;
  const snapshot = useSyncExternalStore(saver.subscribe, saver.snapshot, saver.snapshot);
  const onRemote = useRef(options.onRemote);
  onRemote.current = options.onRemote;

  useEffect(() => {
    if (persisted) saver.save(notebook, codeTrusted);
  }, [saver, notebook, persisted, codeTrusted]);

  const id = notebook.id;
  useEffect(() => {
    if (!persisted) return undefined;
    return onNotebookChange((change) => {
      if (change.id !== id) return;
      if (change.kind === 'deleted') {
        if (saver.idle) saver.deletedElsewhere();
      } else if (change.kind === 'restored') {
        saver.saveAgain(change.revision);
      } else if (saver.idle && change.revision > (saver.baseRevision ?? 0)) {
        void loadNotebook(id).then(
          (stored) => {
            if (!stored || !saver.idle || stored.revision <= (saver.baseRevision ?? 0)) return;
            saver.adopt(stored);
            onRemote.current(stored);
          },
          () => undefined,
        );
      }
    });
  }, [saver, id, persisted]);

  return { saver, snapshot };
}
