// Home page: the example notebooks, the user's saved notebooks, new and import.
'use client';

import { useEffect, useState } from 'react';
import { notebookFromFileText } from '../lib/notebook/file.ts';
import { EXAMPLE_LIST } from '../lib/notebook/examples.ts';
import { newId, newNotebook } from '../lib/notebook/model.ts';
import { deleteNotebook, listNotebooks, saveNotebook } from './_lib/db.ts';

type Summary = Awaited<ReturnType<typeof listNotebooks>>[number];

/** Lists examples and saved notebooks. */
export default function Home() {
  const [saved, setSaved] = useState<Summary[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const refresh = () =>
    listNotebooks().then(setSaved, () => {
      setSaved([]);
      setMessage('Saved notebooks cannot be read in this browser (storage is unavailable).');
    });

  useEffect(() => {
    void refresh();
  }, []);

  const create = async () => {
    const notebook = newNotebook();
    await saveNotebook(notebook);
    window.location.href = `/notebook/?id=${notebook.id}`;
  };

  const importFile = async (file: File) => {
    try {
      const notebook = notebookFromFileText(await file.text(), newId());
      await saveNotebook(notebook, false);
      window.location.href = `/notebook/?id=${notebook.id}`;
    } catch (error) {
      setMessage(
        `${file.name} is not a notebook file: ${error instanceof Error ? error.message : 'unreadable'}.`,
      );
    }
  };

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
        {saved === null ? <p className="muted">Loading…</p> : null}
        {saved?.length === 0 ? (
          <p className="muted">None yet: open an example or start a new one.</p>
        ) : null}
        <ul className="saved" data-testid="saved-notebooks">
          {saved?.map((item) => (
            <li key={item.id}>
              <a href={`/notebook/?id=${item.id}`}>{item.title || 'Untitled notebook'}</a>{' '}
              <span className="muted">
                {item.cells} cells, edited {new Date(item.updatedAtMs).toLocaleString()}
              </span>{' '}
              <button
                type="button"
                aria-label={`delete ${item.title}`}
                onClick={() => void deleteNotebook(item.id).then(refresh)}
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
