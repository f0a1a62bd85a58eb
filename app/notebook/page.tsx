// The notebook page: opens a saved notebook (?id=), an example (?example=) or a share link (#nb1.).
'use client';

import { useEffect, useState } from 'react';
import { exampleNotebook } from '../../lib/notebook/examples.ts';
import type { Notebook } from '../../lib/notebook/model.ts';
import { newId } from '../../lib/notebook/model.ts';
import { decodeShare, isShareFragment, ShareError } from '../../lib/notebook/share.ts';
import { loadNotebook } from '../_lib/db.ts';
import { preloadCatalogue } from '../_lib/use-catalogue.ts';
import { ErrorBoundary } from '../_components/ErrorBoundary.tsx';
import { NotebookView, type NotebookOrigin } from '../_components/NotebookView.tsx';

// Start the plan worker while the page hydrates: the first plan then does not wait for it.
if (typeof window !== 'undefined') void preloadCatalogue().catch(() => undefined);

type Opened =
  | { state: 'loading' }
  | { state: 'ready'; notebook: Notebook; origin: NotebookOrigin; codeTrusted: boolean }
  | { state: 'failed'; message: string };

async function open(): Promise<Opened> {
  const hash = window.location.hash;
  if (hash.length > 1 && isShareFragment(hash)) {
    try {
      const notebook = decodeShare(hash, newId());
      return { state: 'ready', notebook, origin: 'shared', codeTrusted: false };
    } catch (error) {
      const message = error instanceof ShareError ? error.message : 'The link could not be read.';
      return { state: 'failed', message: `${message} No saved notebook was changed.` };
    }
  }
  const params = new URLSearchParams(window.location.search);
  const id = params.get('id');
  if (id) {
    const stored = await loadNotebook(id).catch(() => null);
    return stored
      ? { state: 'ready', ...stored, origin: 'saved' }
      : { state: 'failed', message: 'There is no saved notebook with this id in this browser.' };
  }
  const example = exampleNotebook(params.get('example') ?? '');
  if (example) return { state: 'ready', notebook: example, origin: 'example', codeTrusted: true };
  return { state: 'failed', message: 'No notebook was named in this address.' };
}

/** Opens the notebook the address names and shows it. */
export default function NotebookPage() {
  const [opened, setOpened] = useState<Opened>({ state: 'loading' });

  useEffect(() => {
    void open().then(setOpened);
  }, []);

  if (opened.state === 'loading') return <p className="muted">Opening the notebook…</p>;
  if (opened.state === 'failed') {
    return (
      <div className="error-box" role="alert" data-testid="open-error">
        <p>{opened.message}</p>
        <p>
          <a href="/">Back to the notebooks</a>
        </p>
      </div>
    );
  }
  return (
    <ErrorBoundary what="the notebook">
      <NotebookView
        initial={opened.notebook}
        origin={opened.origin}
        codeTrusted={opened.codeTrusted}
        onSaved={(notebook) =>
          window.history.replaceState(null, '', `/notebook/?id=${notebook.id}`)
        }
      />
    </ErrorBoundary>
  );
}
