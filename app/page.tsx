// Home page: the example notebooks, the user's saved notebooks, new and import.
'use client';

import { useCallback, useEffect, useState } from 'react';
import {
  NotebookFileError,
  notebookFileSizeProblem,
  notebookFromFileText,
} from '../lib/notebook/file.ts';
import { EXAMPLE_LIST } from '../lib/notebook/examples.ts';
import { newId, newNotebook } from '../lib/notebook/model.ts';
import { countOf } from '../lib/notebook/wording.ts';
import {
  listNotebooks,
  onNotebookChange,
  restoreNotebook,
  saveNotebook,
  takeNotebook,
  type DeletedNotebook,
} from './_lib/db.ts';
import { useUndoKey } from './_lib/undo-key.ts';
import { UndoToast } from './_components/UndoToast.tsx';

type Summary = Awaited<ReturnType<typeof listNotebooks>>[number];

/** A deleted notebook, its title for the notice, and which deletion it was. */
interface Deletion {
  deleted: DeletedNotebook;
  title: string;
  serial: number;
}

const UNTITLED = 'Untitled notebook';

function reason(error: unknown): string {
  return error instanceof Error && error.message ? error.message : 'storage is unavailable';
}

/** Why an imported file was refused, naming the file. */
function importProblem(file: File, error: unknown): string {
  if (error instanceof NotebookFileError) return error.message;
  return `${file.name} could not be imported: ${reason(error)}.`;
}

/** Saved notebooks, kept current as this and other tabs change them. */
function useSavedNotebooks(onError: (message: string) => void) {
  const [saved, setSaved] = useState<Summary[] | null>(null);

  const refresh = useCallback(
    () =>
      listNotebooks().then(setSaved, () => {
        setSaved([]);
        onError('Saved notebooks cannot be read in this browser (storage is unavailable).');
      }),
    [onError],
  );

  useEffect(() => {
    void refresh();
    return onNotebookChange(() => void refresh());
  }, [refresh]);

  return { saved, refresh };
}

/** Lists examples and saved notebooks. */
export default function Home() {
  const [message, setMessage] = useState<string | null>(null);
  const { saved, refresh } = useSavedNotebooks(setMessage);
  const [deletions, setDeletions] = useState<Deletion[]>([]);

  const create = async () => {
    const notebook = newNotebook();
    try {
      await saveNotebook(notebook);
      window.location.href = `/notebook/?id=${notebook.id}`;
    } catch (error) {
      setMessage(`A new notebook could not be saved in this browser (${reason(error)}).`);
    }
  };

  const importFile = async (file: File) => {
    setMessage(null);
    const tooBig = notebookFileSizeProblem(file.name, file.size);
    if (tooBig) {
      setMessage(tooBig);
      return;
    }
    try {
      const notebook = notebookFromFileText(await file.text(), newId(), file.name);
      await saveNotebook(notebook, false);
      window.location.href = `/notebook/?id=${notebook.id}`;
    } catch (error) {
      setMessage(importProblem(file, error));
    }
  };

  const remove = async (item: Summary) => {
    try {
      const deleted = await takeNotebook(item.id);
      if (deleted) {
        const serial = (deletions.at(-1)?.serial ?? 0) + 1;
        setDeletions([...deletions, { deleted, title: item.title || UNTITLED, serial }]);
      }
    } catch (error) {
      setMessage(`“${item.title || UNTITLED}” could not be deleted (${reason(error)}).`);
    }
    await refresh();
  };

  const undo = async () => {
    const last = deletions.at(-1);
    if (!last) return;
    setDeletions(deletions.slice(0, -1));
    try {
      await restoreNotebook(last.deleted);
    } catch (error) {
      setMessage(`“${last.title}” could not be put back (${reason(error)}).`);
    }
    await refresh();
  };

  const lastDeletion = deletions.at(-1);
  useUndoKey(() => void undo(), lastDeletion !== undefined);

  return (
    <div className="home">
      <section>
        <h1>Will it fit? Plan LLMs on real hardware.</h1>
        <p>
          Exact memory (weights tensor by tensor, KV cache per attention kind, engine buffers),
          speed and cost, computed in your browser. Nothing is uploaded.
        </p>
      </section>
      <section>
        <h2>Examples</h2>
        <ul className="cards" data-testid="examples">
          {EXAMPLE_LIST.map((example) => (
            <li key={example.slug}>
              <a
                href={`/notebook/?example=${example.slug}`}
                data-testid={`example-${example.slug}`}
              >
                <strong>{example.title}</strong>
                <span>{example.summary}</span>
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section>
        <h2>Your notebooks</h2>
        <p>
          <button type="button" onClick={() => void create()} data-testid="new-notebook">
            New notebook
          </button>{' '}
          <label className="button">
            Import a file…
            <input
              type="file"
              accept=".json,application/json"
              hidden
              data-testid="import-file"
              onChange={(event) => {
                const file = event.target.files?.[0];
                event.target.value = '';
                if (file) void importFile(file);
              }}
            />
          </label>
        </p>
        {message ? (
          <p className="cell-error" role="alert" data-testid="home-message">
            {message}
          </p>
        ) : null}
        {lastDeletion ? (
          <UndoToast
            message={`Deleted “${lastDeletion.title}”.`}
            offerKey={lastDeletion.serial}
            onUndo={() => void undo()}
            onDismiss={() => setDeletions([])}
          />
        ) : null}
        {saved === null ? <p className="muted">Loading…</p> : null}
        {saved?.length === 0 ? (
          <p className="muted">None yet: open an example or start a new one.</p>
        ) : null}
        <ul className="saved" data-testid="saved-notebooks">
          {saved?.map((item) => (
            <li key={item.id}>
              <a href={`/notebook/?id=${item.id}`}>{item.title || UNTITLED}</a>{' '}
              <span className="muted">
                {countOf(item.cells, 'cell')}, edited {new Date(item.updatedAtMs).toLocaleString()}
              </span>{' '}
              <button
                type="button"
                aria-label={`delete ${item.title || UNTITLED}`}
                onClick={() => void remove(item)}
              >
                delete
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
