// The notebook page body: toolbar (title, run, stop, share, export), the cells, autosave.
'use client';

import dynamic from 'next/dynamic';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { cellsToRerun } from '../../lib/notebook/changes.ts';
import { notebookFileName, notebookToFileText } from '../../lib/notebook/file.ts';
import { definedNames } from '../../lib/notebook/graph.ts';
import {
  cellIndex,
  deleteCell,
  insertCell,
  moveCell,
  newCell,
  newId,
  renameNotebook,
  replaceCell,
  type Cell,
  type Notebook,
  type PlanCell,
} from '../../lib/notebook/model.ts';
import { encodeShare, MAX_SHARE_LINK_CHARS } from '../../lib/notebook/share.ts';
import { cellLabel } from '../../lib/notebook/wording.ts';
import { codeRunDidNotFinish, recordCodeRunning } from '../_lib/crash-guard.ts';
import { loadNotebook, type StoredNotebook } from '../_lib/db.ts';
import { openEditorGate, useEditorGate, whenEditorGateOpens } from '../_lib/editor-gate.ts';
import type { SaveState } from '../_lib/notebook-saver.ts';
import { evaluatePlan } from '../_lib/plan-client.ts';
import { CRASH_HELD_MESSAGE, HELD_MESSAGE, NotebookRunner, type CellRun } from '../_lib/runner.ts';
import { SandboxHost } from '../_lib/sandbox-host.ts';
import { hubBaseSetting, useHubBase } from '../_lib/settings.ts';
import { useCatalogue } from '../_lib/use-catalogue.ts';
import { useNotebookSync } from '../_lib/use-notebook-sync.ts';
import { CellView, type CellActions } from './CellView.tsx';
import { ConflictBanner } from './ConflictBanner.tsx';
import { ShareBox, type SharedLink } from './ShareBox.tsx';
import { UndoToast } from './UndoToast.tsx';
import { useUndoKey } from '../_lib/undo-key.ts';

/**
 * The inference cell pulls in transformers.js and ONNX Runtime (over a megabyte): it loads only
 * when the user opens its panel, so plans are not kept waiting behind it.
 */
const InferenceCell = dynamic(
  () => import('./InferenceCell.tsx').then((module) => module.InferenceCell),
  { ssr: false, loading: () => <p className="muted">Loading the inference runtime…</p> },
);

/** The inference panel; its contents are fetched the first time it is opened. */
function InferencePanel() {
  const [opened, setOpened] = useState(false);
  return (
    <details
      className="inference-panel"
      data-testid="notebook-inference"
      onToggle={(event) => {
        if (event.currentTarget.open) setOpened(true);
      }}
    >
      <summary>Check the plan on this machine: run a small model in this browser</summary>
      {opened ? <InferenceCell /> : null}
    </details>
  );
}

/** How the notebook on screen came to be, which decides saving and running rules. */
export type NotebookOrigin = 'saved' | 'example' | 'shared';

const PLAN_RUN_DELAY_MS = 250;

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The code-cell runtime, loaded with the rest of the code-cell stack once the first plans are on
 * screen (the editor gate). The editor is requested first: a cell's source shows before its
 * output, and nothing of the code-cell stack comes before the first plans.
 */
async function loadSandboxRuntime(): Promise<string> {
  await whenEditorGateOpens();
  void import('./CodeEditor.tsx');
  return (await import('../_lib/sandbox-runtime-source.ts')).SANDBOX_RUNTIME;
}

/**
 * The notebook's runner. While a code cell of a saved notebook runs, localStorage says so
 * (`recordRun`), so that a tab that dies mid-run opens next time with its code held.
 */
function useRunner(
  notebook: Notebook,
  codeTrusted: boolean,
  crashHeld: boolean,
  recordRun: (running: boolean) => void,
) {
  const ref = useRef<NotebookRunner | null>(null);
  if (ref.current === null) {
    const sandbox = new SandboxHost(loadSandboxRuntime);
    ref.current = new NotebookRunner(notebook, sandbox, evaluatePlan, {
      codeAllowed: codeTrusted && !crashHeld,
      hubBase: hubBaseSetting,
      heldMessage: crashHeld ? CRASH_HELD_MESSAGE : HELD_MESSAGE,
      onCodeRun: recordRun,
    });
  }
  const runner = ref.current;
  const states = useSyncExternalStore(runner.subscribe, runner.snapshot, runner.snapshot);
  return { runner, states };
}

function useScopeDeclarations(notebook: Notebook): void {
  const key = useMemo(
    () =>
      JSON.stringify(
        notebook.cells.flatMap((cell) =>
          definedNames(cell).map((name) => ({
            name,
            type: cell.kind === 'plan' ? 'plan' : 'unknown',
          })),
        ),
      ),
    [notebook],
  );
  const hasCode = notebook.cells.some((cell) => cell.kind === 'code');
  const editorReady = useEditorGate();
  useEffect(() => {
    if (!hasCode || !editorReady) return;
    void import('./CodeEditor.tsx').then((module) => module.setScopeDeclarations(JSON.parse(key)));
  }, [key, hasCode, editorReady]);
}

/** Longest wait for the first plans before code editors load anyway. */
const EDITOR_GATE_TIMEOUT_MS = 1500;

/** Opens the editor gate once no plan cell is queued or running, or after a short wait. */
function useEditorsAfterFirstPlans(notebook: Notebook, states: ReadonlyMap<string, CellRun>): void {
  const plansPending = notebook.cells.some((cell) => {
    const status = states.get(cell.id)?.status;
    return (
      cell.kind === 'plan' && (status === undefined || status === 'queued' || status === 'running')
    );
  });
  useEffect(() => {
    if (!plansPending) openEditorGate();
  }, [plansPending]);
  useEffect(() => {
    const timer = setTimeout(openEditorGate, EDITOR_GATE_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, []);
}

/** How long after the last keystroke in the hub base URL its plan cells run again. */
const HUB_BASE_RERUN_DELAY_MS = 500;

/** Runs the hub plan cells again (after a pause) when the hub base URL setting changes. */
function useRerunHubCellsOnBaseChange(
  runner: NotebookRunner,
  latest: { readonly current: Notebook },
): void {
  const hubBase = useHubBase();
  const shown = useRef(hubBase);
  useEffect(() => {
    if (shown.current === hubBase) return;
    shown.current = hubBase;
    const timer = setTimeout(() => {
      const ids = latest.current.cells
        .filter((cell) => cell.kind === 'plan' && cell.inputs.model.kind === 'hub')
        .map((cell) => cell.id);
      if (ids.length > 0) runner.run(ids);
    }, HUB_BASE_RERUN_DELAY_MS);
    return () => clearTimeout(timer);
  }, [hubBase, runner, latest]);
}

const SAVE_STATE_TEXT: Record<SaveState, string> = {
  saved: 'saved',
  saving: 'saving…',
  failed: 'could not save',
  conflict: 'not saved: changed elsewhere',
};

/** A deleted cell and where it was, kept so that Undo puts it back exactly. */
interface RemovedCell {
  cell: Cell;
  index: number;
  label: string;
  /** Tells deletions apart, so that each new one restarts the Undo offer. */
  serial: number;
}

let removals = 0;

/**
 * Puts focus on the cell now at `index` (the one after a deleted cell, or the last), or on the
 * empty notebook's first button, once the page shows the deletion; so focus never falls to the
 * page body and the next keyboard shortcut still acts on a cell.
 */
function focusCellAt(index: number): void {
  setTimeout(() => {
    const cells = document.querySelectorAll<HTMLElement>('[data-testid=cell]');
    const target = cells[Math.min(index, cells.length - 1)];
    if (!target) {
      document.querySelector<HTMLElement>('.empty button')?.focus();
      return;
    }
    if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
    target.focus();
  }, 0);
}

/**
 * A plan cell brought back by Undo, renamed `plan1_2` (the first free `name_N`) when another
 * cell took its name meanwhile, so that no two cells define the same name.
 */
function renameIfTaken(cell: PlanCell, taken: ReadonlySet<string>): PlanCell {
  if (!taken.has(cell.name)) return cell;
  for (let n = 2; ; n += 1) {
    const name = `${cell.name}_${n}`;
    if (!taken.has(name)) return { ...cell, name };
  }
}

/** How many deleted cells Undo can bring back, newest first. */
const UNDO_DEPTH = 20;

/** Asks the browser to confirm leaving the page while `unsaved` edits exist only here. */
function useWarnBeforeLeaving(unsaved: boolean): void {
  useEffect(() => {
    if (!unsaved) return undefined;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unsaved]);
}

/** Whether a cell waits for consent: code, or a plan cell that fetches from the hub. */
function needsConsent(cell: Cell): boolean {
  return cell.kind === 'code' || (cell.kind === 'plan' && cell.inputs.model.kind === 'hub');
}

/** Whether the banner about a notebook from a link or a file shows, and what it offers. */
function TrustBanner({
  codeAllowed,
  crashed,
  unsavedShare,
  hasHub,
  onAllow,
  onSave,
}: {
  codeAllowed: boolean;
  /** Whether code waits because its last run never finished, not because of a link. */
  crashed: boolean;
  unsavedShare: boolean;
  /** Whether a plan cell names a hub model (fetched only after consent). */
  hasHub: boolean;
  onAllow: () => void;
  onSave: () => void;
}) {
  if (codeAllowed && !unsavedShare) return null;
  const waiting = hasHub
    ? 'code cells have not run and models named by hub id have not been fetched. '
    : 'code cells have not run. ';
  const why = crashed
    ? "The last run of this notebook's code did not finish (the tab may have crashed)."
    : 'This notebook came from a link or a file.';
  return (
    <div className="banner" role="status" data-testid="shared-banner">
      {codeAllowed
        ? 'This notebook was opened from a link and is not saved yet. '
        : `${why} Plans are computed; ${waiting}`}
      {codeAllowed ? null : (
        <button type="button" data-testid="allow-code" onClick={onAllow}>
          {hasHub ? 'Run code cells and fetch hub models' : 'Run code cells'}
        </button>
      )}{' '}
      {unsavedShare ? (
        <button type="button" onClick={onSave} data-testid="save-copy">
          Save to my notebooks
        </button>
      ) : null}
    </div>
  );
}

/** A notebook with its cells, running and saving as the user works. */
export function NotebookView({
  initial,
  origin,
  codeTrusted,
  revision,
  onSaved,
}: {
  initial: Notebook;
  origin: NotebookOrigin;
  /** Whether code cells may run at once (false for notebooks from links and files). */
  codeTrusted: boolean;
  /** The stored revision opened (for a saved notebook), or null. */
  revision: number | null;
  onSaved: (notebook: Notebook) => void;
}) {
  const [notebook, setNotebook] = useState(initial);
  const [persisted, setPersisted] = useState(origin === 'saved');
  const [crashHeld, setCrashHeld] = useState(
    () => origin === 'saved' && codeRunDidNotFinish(initial.id),
  );
  const [codeAllowed, setCodeAllowed] = useState(codeTrusted && !crashHeld);
  const [shared, setShared] = useState<SharedLink | null>(null);
  const [removed, setRemoved] = useState<RemovedCell[]>([]);
  const [restoredNote, setRestoredNote] = useState<string | null>(null);
  const latest = useRef(notebook);
  latest.current = notebook;
  const persistedRef = useRef(persisted);
  persistedRef.current = persisted;
  const { runner, states } = useRunner(initial, codeTrusted, crashHeld, (running) => {
    if (persistedRef.current) recordCodeRunning(latest.current.id, running);
  });
  const catalogue = useCatalogue();
  const planTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingPlans = useRef(new Set<string>());
  useScopeDeclarations(notebook);

  useEffect(() => {
    runner.runAll();
  }, [runner]);

  useEditorsAfterFirstPlans(notebook, states);

  useRerunHubCellsOnBaseChange(runner, latest);

  useEffect(() => {
    document.title = `${notebook.title || 'Untitled notebook'} · hwLedger`;
  }, [notebook.title]);

  useEffect(() => () => runner.stop(), [runner]);

  const showStored = (stored: StoredNotebook) => {
    const before = latest.current;
    latest.current = stored.notebook;
    runner.setNotebook(stored.notebook);
    setNotebook(stored.notebook);
    if (stored.codeTrusted && !runner.codeAllowed && !crashHeld) {
      setCodeAllowed(true);
      runner.codeAllowed = true;
    }
    const ids = cellsToRerun(before, stored.notebook);
    if (ids === 'all') runner.runAll();
    else if (ids.length > 0) runner.run(ids);
  };

  const { saver, snapshot: saved } = useNotebookSync({
    notebook,
    persisted,
    codeTrusted: codeAllowed || crashHeld,
    baseRevision: origin === 'saved' ? revision : null,
    onRemote: showStored,
  });

  const update = useCallback(
    (next: Notebook) => {
      latest.current = next;
      runner.setNotebook(next);
      setNotebook(next);
      if (origin !== 'saved' && !persisted) {
        setPersisted(true);
        onSaved(next);
      }
    },
    [runner, origin, persisted, onSaved],
  );

  const actions: CellActions = useMemo(
    () => ({
      change(cell: Cell) {
        update(replaceCell(latest.current, cell));
        if (cell.kind === 'plan') {
          pendingPlans.current.add(cell.id);
          clearTimeout(planTimer.current);
          planTimer.current = setTimeout(() => {
            const ids = [...pendingPlans.current];
            pendingPlans.current.clear();
            runner.run(ids);
          }, PLAN_RUN_DELAY_MS);
        }
      },
      run(id: string) {
        runner.run([id]);
      },
      stop(id: string) {
        runner.stopCell(id);
      },
      move(id: string, offset: number) {
        update(moveCell(latest.current, id, offset));
      },
      remove(id: string) {
        const index = cellIndex(latest.current, id);
        const cell = latest.current.cells[index];
        if (!cell) return;
        update(deleteCell(latest.current, id));
        focusCellAt(index);
        removals += 1;
        const entry = { cell, index, label: cellLabel(cell, index), serial: removals };
        setRemoved((stack) => [...stack.slice(1 - UNDO_DEPTH), entry]);
      },
      add(kind: Cell['kind'], afterId: string) {
        const taken = new Set(latest.current.cells.flatMap(definedNames));
        const cell = newCell(kind, taken);
        update(insertCell(latest.current, cell, cellIndex(latest.current, afterId) + 1));
        if (cell.kind === 'plan') runner.run([cell.id]);
      },
    }),
    [runner, update],
  );

  const graph = runner.currentGraph();
  const anyRunning = [...states.values()].some(
    (s: CellRun) => s.status === 'running' || s.status === 'queued',
  );

  const share = () => {
    const version = latest.current;
    const link = `${window.location.origin}/notebook/#${encodeShare(version)}`;
    const tooLong = link.length > MAX_SHARE_LINK_CHARS;
    const clipboard = tooLong ? undefined : navigator.clipboard;
    setShared({ link, copied: clipboard ? null : false, version });
    if (!clipboard) return;
    const settle = (copied: boolean) =>
      setShared((now) => (now?.link === link ? { ...now, copied } : now));
    clipboard.writeText(link).then(
      () => settle(true),
      () => settle(false),
    );
  };

  const saveCopy = (title = latest.current.title) => {
    const copy = { ...latest.current, title, id: newId(), updatedAtMs: Date.now() };
    latest.current = copy;
    setNotebook(copy);
    runner.setNotebook(copy);
    setPersisted(true);
    onSaved(copy);
  };

  const loadTheirs = () => {
    void loadNotebook(latest.current.id).then(
      (stored) => {
        if (!stored) return;
        saver.adopt(stored);
        showStored(stored);
      },
      () => undefined,
    );
  };

  const undoRemove = () => {
    const last = removed.at(-1);
    if (!last) return;
    setRemoved(removed.slice(0, -1));
    const taken = new Set(latest.current.cells.flatMap(definedNames));
    const cell = last.cell.kind === 'plan' ? renameIfTaken(last.cell, taken) : last.cell;
    setRestoredNote(
      cell.kind === 'plan' && last.cell.kind === 'plan' && cell.name !== last.cell.name
        ? `Brought back the deleted plan as ${cell.name}: ${last.cell.name} now names ` +
            'another cell.'
        : null,
    );
    update(insertCell(latest.current, cell, last.index));
    runner.run([cell.id]);
  };

  const addFirst = (kind: Cell['kind']) => {
    const cell = newCell(kind);
    update(insertCell(latest.current, cell, 0));
    if (cell.kind === 'plan') runner.run([cell.id]);
  };
  useUndoKey(undoRemove, removed.length > 0);
  useWarnBeforeLeaving(persisted && (saved.state === 'failed' || saved.state === 'conflict'));
  const lastRemoved = removed.at(-1);

  return (
    <div className="notebook">
      <div className="toolbar">
        <input
          className="title"
          aria-label="notebook title"
          data-testid="notebook-title"
          value={notebook.title}
          onChange={(event) => update(renameNotebook(latest.current, event.target.value))}
        />
        <button type="button" onClick={() => runner.runAll()} data-testid="run-all">
          Run all
        </button>
        <button
          type="button"
          onClick={() => runner.stop()}
          disabled={!anyRunning}
          data-testid="stop-all"
        >
          Stop
        </button>
        <button type="button" onClick={share} data-testid="share">
          Share link
        </button>
        <button
          type="button"
          onClick={() => download(notebookFileName(notebook), notebookToFileText(notebook))}
        >
          Export file
        </button>
        <span
          className="save-state"
          data-testid="save-state"
          title={saved.state === 'failed' && saved.failure ? saved.failure : undefined}
        >
          {persisted ? SAVE_STATE_TEXT[saved.state] : 'not saved'}
        </span>
      </div>
      {shared ? <ShareBox shared={shared} current={notebook} /> : null}
      <TrustBanner
        codeAllowed={codeAllowed}
        crashed={crashHeld}
        unsavedShare={origin === 'shared' && !persisted}
        hasHub={notebook.cells.some((c) => c.kind === 'plan' && needsConsent(c))}
        onAllow={() => {
          setCodeAllowed(true);
          setCrashHeld(false);
          recordCodeRunning(latest.current.id, false);
          runner.codeAllowed = true;
          runner.run(latest.current.cells.filter(needsConsent).map((c) => c.id));
        }}
        onSave={() => saveCopy()}
      />
      {saved.state === 'conflict' && saved.theirs !== undefined ? (
        <ConflictBanner
          theirs={saved.theirs}
          onLoadTheirs={loadTheirs}
          onKeepMine={() => saveCopy(`${latest.current.title} (my copy)`)}
          onSaveAgain={() => saver.saveAgain()}
        />
      ) : null}
      {saved.state === 'failed' ? (
        <p className="cell-error" role="alert" data-testid="save-error">
          Your latest edits are not saved: {saved.failure ?? 'storage refused them'}. They stay on
          this page and saving is tried again with your next edit.
        </p>
      ) : null}
      {lastRemoved ? (
        <UndoToast
          message={`Deleted ${lastRemoved.label}.`}
          offerKey={lastRemoved.serial}
          onUndo={undoRemove}
          onDismiss={() => setRemoved([])}
        />
      ) : null}
      {restoredNote ? (
        <p className="banner" role="status" data-testid="restored-note">
          {restoredNote}{' '}
          <button
            type="button"
            className="link"
            aria-label="dismiss"
            onClick={() => setRestoredNote(null)}
          >
            ×
          </button>
        </p>
      ) : null}
      <p className="keys muted">
        Shift+Enter runs a cell. Alt+Shift+↑/↓ moves it, Alt+Shift+Backspace deletes it (Ctrl+Z
        brings it back), Alt+Shift+M/P/C adds text, plan or code below. In code cells,{' '}
        <code>export const x = …</code> makes <code>x</code> usable below, a plan cell&apos;s name
        holds its result, and the capacity API is <code>hw</code> (for example <code>hw.plan</code>,{' '}
        <code>hw.catalogueSpec</code>).
      </p>
      {notebook.cells.map((cell, index) => (
        <CellView
          key={cell.id}
          cell={cell}
          index={index}
          run={states.get(cell.id)}
          defines={graph.byId.get(cell.id)?.defines ?? []}
          staticError={graph.byId.get(cell.id)?.error ?? null}
          catalogue={catalogue}
          actions={actions}
        />
      ))}
      {notebook.cells.length === 0 ? (
        <div className="empty">
          <p>This notebook is empty.</p>
          <button type="button" onClick={() => addFirst('markdown')}>
            + text
          </button>
          <button type="button" onClick={() => addFirst('plan')}>
            + plan
          </button>
          <button type="button" onClick={() => addFirst('code')}>
            + code
          </button>
        </div>
      ) : null}
      <InferencePanel />
    </div>
  );
}
