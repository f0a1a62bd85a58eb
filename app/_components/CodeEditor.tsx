// Monaco served by the app (no CDN), with the capacity API's types for completion and checks.
'use client';

import Editor, { loader, type OnMount } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
import { useEffect, useRef, useState } from 'react';

/** Declarations of the names a notebook's cells bind, in a global scope file for the editor. */
export interface ScopeDeclaration {
  name: string;
  type: 'plan' | 'unknown';
}

type Env = { getWorker(id: string, label: string): Worker };

(globalThis as unknown as { MonacoEnvironment: Env }).MonacoEnvironment = {
  getWorker(_id, label) {
    if (label === 'typescript' || label === 'javascript') {
      return new Worker(
        new URL('monaco-editor/language/typescript/ts.worker.js', import.meta.url),
        {
          type: 'module',
        },
      );
    }
    return new Worker(new URL('monaco-editor/editor/editor.worker.js', import.meta.url), {
      type: 'module',
    });
  },
};

loader.config({ monaco });

const SCOPE_PATH = 'file:///hwledger/notebook-scope.d.ts';
const SANDBOX_GLOBALS_PATH = 'file:///hwledger/sandbox-globals.d.ts';

/**
 * What a cell can use besides the language and the notebook's names: the sandbox is a worker
 * with no page (no document, storage or network), so the editor knows ES2022 plus these, which
 * the worker has. Written to merge with the DOM's declarations, should those ever load too.
 */
const SANDBOX_GLOBALS = `
/** Console calls made while a cell runs show in its output, labelled console.log and so on. */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}
declare var console: Console;
declare function setTimeout(handler: (...args: any[]) => void, timeoutMs?: number,
  ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function setInterval(handler: (...args: any[]) => void, timeoutMs?: number,
  ...args: any[]): number;
declare function clearInterval(id: number | undefined): void;
declare function queueMicrotask(callback: () => void): void;
`;
let scopeLib: monaco.IDisposable | null = null;
let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  const ts = monaco.typescript;
  ts.typescriptDefaults.setCompilerOptions({
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.NodeJs,
    strict: true,
    noEmit: true,
    allowNonTsExtensions: true,
    allowUmdGlobalAccess: true,
    allowImportingTsExtensions: true,
    moduleDetection: 3,
    lib: ['es2022'],
  });
  ts.typescriptDefaults.addExtraLib(SANDBOX_GLOBALS, SANDBOX_GLOBALS_PATH);
  ts.typescriptDefaults.setEagerModelSync(true);
  const files = JSON.parse(process.env.HW_CAPACITY_DTS ?? '{}') as Record<string, string>;
  for (const [path, text] of Object.entries(files)) {
    ts.typescriptDefaults.addExtraLib(text, `file:///node_modules/hwledger/${path}`);
  }
  ts.typescriptDefaults.addExtraLib(
    '{"name":"hwledger","types":"index.d.ts"}',
    'file:///node_modules/hwledger/package.json',
  );
}

/** Replaces the editor's declarations of notebook names (plan results, code exports). */
export function setScopeDeclarations(names: readonly ScopeDeclaration[]): void {
  configure();
  const lines = names.map(({ name, type }) =>
    type === 'plan' ? `  const ${name}: hw.PlanResult;` : `  const ${name}: any;`,
  );
  const text = [
    'export {};',
    'declare global {',
    ...lines,
    '  /** Shows a value in the cell output, with an optional label. */',
    '  function display(value: unknown, label?: string): void;',
    '}',
  ].join('\n');
  scopeLib?.dispose();
  scopeLib = monaco.typescript.typescriptDefaults.addExtraLib(text, SCOPE_PATH);
}

/** A code-cell editor; Shift+Enter calls `onRun`; reports type and syntax errors below itself. */
export default function CodeEditor({
  cellId,
  value,
  onChange,
  onRun,
}: {
  cellId: string;
  value: string;
  onChange: (value: string) => void;
  onRun: () => void;
}) {
  const runRef = useRef(onRun);
  const [height, setHeight] = useState(80);
  const [problems, setProblems] = useState<monaco.editor.IMarker[]>([]);

  useEffect(() => {
    runRef.current = onRun;
  }, [onRun]);

  const onMount: OnMount = (editor) => {
    configure();
    editor.addAction({
      id: 'hwledger.runCell',
      label: 'Run cell',
      keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
      run: () => runRef.current(),
    });
    editor.onDidContentSizeChange((event) =>
      setHeight(Math.min(600, Math.max(60, event.contentHeight + 8))),
    );
  };

  const errors = problems.filter((marker) => marker.severity >= monaco.MarkerSeverity.Warning);
  return (
    <div className="code-editor">
      <Editor
        height={height}
        path={`file:///cells/cell-${cellId}.ts`}
        defaultLanguage="typescript"
        value={value}
        onChange={(text) => onChange(text ?? '')}
        onMount={onMount}
        beforeMount={configure}
        onValidate={setProblems}
        options={{
          minimap: { enabled: false },
          scrollBeyondLastLine: false,
          fontSize: 13,
          lineNumbers: 'on',
          automaticLayout: true,
          wordWrap: 'on',
          tabSize: 2,
          scrollbar: { alwaysConsumeMouseWheel: false },
        }}
      />
      {errors.length > 0 ? (
        <ul className="problems" data-testid="code-problems">
          {errors.slice(0, 5).map((marker, i) => (
            <li key={i}>
              line {marker.startLineNumber}: {marker.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
