// The notebook page: opens a saved notebook (?id=), an example (?example=) or a share link (#nb1.).
'use client';

import { useEffect, useState } from 'react';
import {
  EXAMPLE_LIST,
  exampleNotebook,
  unknownExampleMessage,
} from '../../lib/notebook/examples.ts';
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
  | {
      state: 'ready';
      notebook: Notebook;
      origin: NotebookOrigin;
      codeTrusted: boolean;
      revision: number | null;
      /** Tells apart two openings of this page (a new share link replaces the notebook). */
      opening: number;
    }
  | { state: 'failed'; message: string; listExamples: boolean };

function failed(message: string, listExamples = false): Opened {
  return { state: 'failed', message, listExamples };
}

function openShare(hash: string, opening: number): Opened {
  try {
    const notebook = decodeShare(hash, newId());
    return {
      state: 'ready',
      notebook,
      origin: 'shared',
      codeTrusted: false,
      revision: null,
      opening,
    };
  } catch (error) {
    const message = error instanceof ShareError ? error.message : 'The link could not be read.';
    return failed(`${message} No saved notebook was changed.`);
  }
}

async function openSaved(id: string, opening: number): Promise<Opened> {
  try {
    const stored = await loadNotebook(id);
    if (stored) return { state: 'ready', ...stored, origin: 'saved', opening };
    return failed(
      'There is no saved notebook with this id in this browser: it was deleted, or saved in ' +
        'another browser (notebooks are kept in the browser that made them; share a link instead).',
    );
  } catch (error) {
    const reason =
      error instanceof Error && error.message ? error.message : 'storage is unavailable';
    return failed(`The saved notebook could not be read (${reason}). Nothing was changed.`);
  }
}

async function open(opening: number): Promise<Opened> {
  const hash = window.location.hash;
  if (hash.length > 1 && isShareFragment(hash)) return openShare(hash, opening);
  const params = new URLSearchParams(window.location.search);
  const id = params.get('id');
  if (id) return openSaved(id, opening);
  const slug = params.get('example');
  if (slug === null || slug === '') return failed('No notebook was named in this address.', true);
  const example = exampleNotebook(slug);
  if (!example) return failed(unknownExampleMessage(slug), true);
  return {
    state: 'ready',
    notebook: example,
    origin: 'example',
    codeTrusted: true,
    revision: null,
    opening,
  };
}

/** Opens the notebook the address names, and the next one when a new share link is opened. */
function useOpenedNotebook(): Opened {
  const [opened, setOpened] = useState<Opened>({ state: 'loading' });

  useEffect(() => {
    let openings = 0;
    const load = () => {
      openings += 1;
      const mine = openings;
      void open(mine).then((next) => {
        if (mine === openings) setOpened(next);
      });
    };
    const onHashChange = () => {
      if (!isShareFragment(window.location.hash)) return;
      setOpened({ state: 'loading' });
      load();
    };
    load();
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  return opened;
}

/** Opens the notebook the address names and shows it. */
export default function NotebookPage() {
  const opened = useOpenedNotebook();

  if (opened.state === 'loading') return <p className="muted">Opening the notebook…</p>;
  if (opened.state === 'failed') {
    return (
      <div className="error-box" role="alert" data-testid="open-error">
        <p>{opened.message}</p>
        {opened.listExamples ? (
          <ul data-testid="open-error-examples">
            {EXAMPLE_LIST.map((example) => (
              <li key={example.slug}>
                <a href={`/notebook/?example=${example.slug}`}>{example.title}</a>{' '}
                <code>{example.slug}</code>
              </li>
            ))}
          </ul>
        ) : null}
        <p>
          <a href="/">Back to the notebooks</a>
        </p>
      </div>
    );
  }
  return (
    <ErrorBoundary what="the notebook">
      <NotebookView
        key={opened.opening}
        initial={opened.notebook}
        origin={opened.origin}
        codeTrusted={opened.codeTrusted}
        revision={opened.revision}
        onSaved={(notebook) =>
          window.history.replaceState(null, '', `/notebook/?id=${notebook.id}`)
        }
      />
    </ErrorBoundary>
  );
}
