// One notebook cell: its header (state, actions) and its body by kind (prose, plan form, code).
'use client';

import dynamic from 'next/dynamic';
import { useState } from 'react';
import type {
  Cell,
  CodeCell,
  MarkdownCell,
  PlanCell,
  PlanModelSource,
} from '../../lib/notebook/model.ts';
import type { CatalogueData } from '../../workers/plan-types.ts';
import { useEditorGate } from '../_lib/editor-gate.ts';
import { formatBytes } from '../_lib/format.ts';
import { planErrorText, planPrompt } from '../_lib/plan-error-text.ts';
import type { CellRun } from '../_lib/runner.ts';
import { useHubBase } from '../_lib/settings.ts';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { Markdown } from './Markdown.tsx';
import { OutputView } from './OutputView.tsx';
import { PlanForm } from './PlanForm.tsx';
import { PlanResultView } from './PlanResultView.tsx';

const CodeEditor = dynamic(() => import('./CodeEditor.tsx'), {
  ssr: false,
  loading: () => <p className="muted">Loading the editor…</p>,
});

/** What a cell can ask the notebook to do. */
export interface CellActions {
  change(cell: Cell): void;
  run(id: string): void;
  /** Stops one cell (a plan's hub fetch included); other cells keep running. */
  stop(id: string): void;
  move(id: string, offset: number): void;
  remove(id: string): void;
  add(kind: Cell['kind'], afterId: string): void;
}

function statusText(run: CellRun | undefined): string {
  switch (run?.status) {
    case undefined:
    case 'idle':
      return '';
    case 'queued':
      return 'queued';
    case 'running':
      return 'running…';
    case 'done':
      return run.kind === 'code' ? `done in ${Math.round(run.result.millis)} ms` : 'done';
    case 'error':
      return 'error';
    case 'stopped':
      return 'stopped';
    case 'blocked':
      return 'waiting';
    case 'held':
      return 'not run';
  }
}

function MarkdownBody({ cell, actions }: { cell: MarkdownCell; actions: CellActions }) {
  const [editing, setEditing] = useState(cell.source.trim() === '');
  if (!editing) {
    return (
      <div onDoubleClick={() => setEditing(true)}>
        <Markdown source={cell.source} />
        <button type="button" className="link" onClick={() => setEditing(true)}>
          edit text
        </button>
      </div>
    );
  }
  return (
    <div>
      <textarea
        className="markdown-source"
        data-testid="markdown-source"
        rows={Math.max(3, cell.source.split('\n').length + 1)}
        value={cell.source}
        placeholder="Write notes in Markdown. Shift+Enter shows them."
        onChange={(event) => actions.change({ ...cell, source: event.target.value })}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && event.shiftKey) {
            event.preventDefault();
            setEditing(false);
          }
        }}
      />
      <button type="button" className="link" onClick={() => setEditing(false)}>
        show
      </button>
    </div>
  );
}

function RunMessage({ run, model }: { run: CellRun | undefined; model?: PlanModelSource }) {
  if (!run) return null;
  const prompt = run.status === 'error' && model ? planPrompt(model) : null;
  if (prompt !== null) {
    return (
      <p className="cell-note" data-testid="plan-prompt">
        {prompt}
      </p>
    );
  }
  if (run.status === 'error') {
    const pe = run.planError;
    return (
      <div className="cell-error" role="alert" data-testid="cell-error">
        {pe && model ? (
          <p>{planErrorText(pe, model)}</p>
        ) : (
          <p>
            {run.message}
            {run.line !== null ? ` (line ${run.line})` : ''}
          </p>
        )}
      </div>
    );
  }
  if (run.status === 'stopped' || run.status === 'blocked' || run.status === 'held') {
    return (
      <p className="cell-note" data-testid="cell-note">
        {run.message}
      </p>
    );
  }
  return null;
}

/** What a running hub fetch has done: files read of the total and header bytes so far. */
function HubProgressNote({ cell, run }: { cell: PlanCell; run: CellRun | undefined }) {
  const hubBase = useHubBase();
  if (run?.status !== 'running' || cell.inputs.model.kind !== 'hub') return null;
  const progress = run.progress;
  const done = progress?.filesDone ?? 0;
  const total = progress?.filesTotal ?? null;
  const files =
    total === null
      ? `${String(done)} file${done === 1 ? '' : 's'}`
      : `${String(done)} of ${String(total)} files`;
  const bytes = formatBytes(progress?.bytesRead ?? 0);
  return (
    <p
      className="cell-note"
      role="status"
      data-testid="hub-progress"
      data-files-done={progress?.filesDone ?? 0}
      data-bytes-read={progress?.bytesRead ?? 0}
    >
      Fetching {cell.inputs.model.id.trim()} from {hubBase} (config.json and safetensors headers
      only): {files} read, {bytes}…
    </p>
  );
}

function PlanBody({
  cell,
  run,
  catalogue,
  actions,
}: {
  cell: PlanCell;
  run: CellRun | undefined;
  catalogue: CatalogueData | null;
  actions: CellActions;
}) {
  if (!catalogue) {
    return (
      <>
        <p className="muted">Loading the catalogue…</p>
        <RunMessage run={run} model={cell.inputs.model} />
      </>
    );
  }
  return (
    <>
      <PlanForm cell={cell} catalogue={catalogue} onChange={actions.change}>
        {run?.status === 'done' && run.kind === 'plan' ? (
          <ErrorBoundary what="this plan">
            <PlanResultView data={run.data} />
          </ErrorBoundary>
        ) : null}
      </PlanForm>
      <HubProgressNote cell={cell} run={run} />
      <RunMessage run={run} model={cell.inputs.model} />
    </>
  );
}

function CodeBody({
  cell,
  run,
  actions,
}: {
  cell: CodeCell;
  run: CellRun | undefined;
  actions: CellActions;
}) {
  const editorReady = useEditorGate();
  return (
    <>
      {editorReady ? (
        <CodeEditor
          cellId={cell.id}
          value={cell.source}
          onChange={(source) => actions.change({ ...cell, source })}
          onRun={() => actions.run(cell.id)}
        />
      ) : (
        <pre className="code-preview" data-testid="code-preview">
          {cell.source}
        </pre>
      )}
      <RunMessage run={run} />
      {run?.status === 'done' && run.kind === 'code' ? (
        <ErrorBoundary what="this output">
          <OutputView outputs={run.result.outputs} />
        </ErrorBoundary>
      ) : null}
    </>
  );
}

/**
 * A cell with its toolbar. Keys: Shift+Enter runs, Alt+Shift+arrows move, Alt+Shift+Backspace
 * deletes, Alt+Shift+M/P/C adds a text, plan or code cell below.
 */
export function CellView({
  cell,
  index,
  run,
  defines,
  staticError,
  catalogue,
  actions,
}: {
  cell: Cell;
  index: number;
  run: CellRun | undefined;
  defines: string[];
  staticError: string | null;
  catalogue: CatalogueData | null;
  actions: CellActions;
}) {
  const running = run?.status === 'running';
  const onKeyDownCapture = (event: React.KeyboardEvent) => {
    if (event.altKey && event.shiftKey) {
      const keys: Record<string, () => void> = {
        ArrowUp: () => actions.move(cell.id, -1),
        ArrowDown: () => actions.move(cell.id, 1),
        Backspace: () => actions.remove(cell.id),
        KeyM: () => actions.add('markdown', cell.id),
        KeyP: () => actions.add('plan', cell.id),
        KeyC: () => actions.add('code', cell.id),
      };
      const act = keys[event.code];
      if (act) {
        event.preventDefault();
        event.stopPropagation();
        act();
      }
    } else if (event.key === 'Enter' && event.shiftKey && cell.kind === 'plan') {
      event.preventDefault();
      actions.run(cell.id);
    }
  };
  return (
    <section
      className={`cell cell-${cell.kind} status-${run?.status ?? 'idle'}`}
      data-testid="cell"
      data-cell-id={cell.id}
      data-kind={cell.kind}
      data-status={run?.status ?? 'idle'}
      aria-label={`cell ${index + 1}, ${cell.kind}`}
      onKeyDownCapture={onKeyDownCapture}
    >
      <header className="cell-header">
        <span className="cell-index">[{index + 1}]</span>
        <span className="cell-kind">{cell.kind}</span>
        {defines.length > 0 ? <code className="cell-defines">{defines.join(', ')}</code> : null}
        <span className="cell-status" data-testid="cell-status">
          {statusText(run)}
        </span>
        <span className="cell-actions">
          {cell.kind !== 'markdown' ? (
            <button
              type="button"
              title="Run (Shift+Enter)"
              data-testid="cell-run"
              onClick={() => actions.run(cell.id)}
            >
              ▶ run
            </button>
          ) : null}
          {running ? (
            <button
              type="button"
              title="Stop"
              data-testid="cell-stop"
              onClick={() => actions.stop(cell.id)}
            >
              ■ stop
            </button>
          ) : null}
          <button
            type="button"
            title="Move up (Alt+Shift+↑)"
            aria-label="move up"
            onClick={() => actions.move(cell.id, -1)}
          >
            ↑
          </button>
          <button
            type="button"
            title="Move down (Alt+Shift+↓)"
            aria-label="move down"
            onClick={() => actions.move(cell.id, 1)}
          >
            ↓
          </button>
          <button
            type="button"
            title="Delete (Alt+Shift+Backspace)"
            aria-label="delete cell"
            onClick={() => actions.remove(cell.id)}
          >
            ✕
          </button>
        </span>
      </header>
      {staticError ? (
        <p className="cell-error" role="alert">
          {staticError}
        </p>
      ) : null}
      <ErrorBoundary what="this cell">
        {cell.kind === 'markdown' ? <MarkdownBody cell={cell} actions={actions} /> : null}
        {cell.kind === 'plan' ? (
          <PlanBody cell={cell} run={run} catalogue={catalogue} actions={actions} />
        ) : null}
        {cell.kind === 'code' ? <CodeBody cell={cell} run={run} actions={actions} /> : null}
      </ErrorBoundary>
      <footer className="cell-add">
        add below:{' '}
        <button type="button" onClick={() => actions.add('markdown', cell.id)}>
          + text
        </button>
        <button type="button" onClick={() => actions.add('plan', cell.id)}>
          + plan
        </button>
        <button type="button" onClick={() => actions.add('code', cell.id)}>
          + code
        </button>
      </footer>
    </section>
  );
}
