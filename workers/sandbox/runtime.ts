// Runs inside the sandbox (a blob worker in an opaque-origin iframe): transforms and runs cells.
//
// Bundled with esbuild into one classic script (see workers/build-assets.mjs). The capacity
// library is bundled in, so cells call it directly as `hw.plan(...)`; nothing here can reach the
// page's storage, and the page never exposes anything back to this side.

import * as Comlink from 'comlink';
import { transform } from 'sucrase';
import * as hw from '../../lib/capacity/index.ts';
import { nameProblem } from '../../lib/notebook/names.ts';
import { toPlainData } from './clone.ts';
import { capOutputs, MAX_CELL_OUTPUTS } from './outputs.ts';
import type { CellOutput, CellRunRequest, CellRunResult, SandboxApi } from './protocol.ts';
import { thrownMessage } from './thrown.ts';

const exportsByCell = new Map<string, Record<string, unknown>>();
const scopeGlobal = globalThis as unknown as Record<string, unknown>;

function lineOf(error: unknown): number | null {
  if (typeof error === 'object' && error !== null && 'loc' in error) {
    const loc = (error as { loc?: { line?: unknown } }).loc;
    if (typeof loc?.line === 'number') return loc.line;
  }
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const match = /blob:[^\s)]*:(\d+):\d+/.exec(stack);
  return match?.[1] ? Number(match[1]) : null;
}

function failure(error: unknown): CellRunResult {
  const name = error instanceof Error ? error.name : 'Error';
  const message = thrownMessage(error);
  const details = error as { field?: unknown; expected?: unknown };
  const extra =
    typeof details?.field === 'string'
      ? ` (field: ${details.field}${typeof details.expected === 'string' ? `; expected ${details.expected}` : ''})`
      : '';
  return { ok: false, error: { name, message: message + extra, line: lineOf(error) } };
}

/** Binds `name` on the global object, refusing a name that would replace what is there. */
function bind(name: string, value: unknown, names: string[]): void {
  const problem = nameProblem(name) ?? (name in scopeGlobal ? `"${name}" is in use` : null);
  if (problem !== null) {
    throw new Error(`cannot make "${name}" usable by this cell: ${problem}; rename it`);
  }
  scopeGlobal[name] = value;
  names.push(name);
}

function bindScope(request: CellRunRequest, names: string[]): void {
  for (const [name, value] of Object.entries(request.scope)) bind(name, value, names);
  for (const id of request.codeDeps) {
    const exported = exportsByCell.get(id) ?? {};
    for (const [name, value] of Object.entries(exported)) {
      if (name !== 'default') bind(name, value, names);
    }
  }
}

/** Runs a cell's module from its blob URL, which is revoked whether it runs or throws. */
async function importCell(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(/* webpackIgnore: true */ url)) as Record<string, unknown>;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The console methods a cell's output shows while the cell runs. */
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error'] as const;

type ConsoleMethod = (typeof CONSOLE_METHODS)[number];

/** What one console call shows: one argument as itself, plain values joined by spaces. */
function consoleValue(data: unknown[]): unknown {
  if (data.length === 1) return data[0];
  const plain = data.every((item) => item === null || typeof item !== 'object');
  return plain ? data.map((item) => String(item)).join(' ') : data;
}

/**
 * Sends `console.log/info/warn/error` calls to `show` (labelled "console.log" and so on) until
 * the returned function puts the worker's own methods back.
 */
function captureConsole(show: (label: string, value: unknown) => void): () => void {
  const own = new Map<ConsoleMethod, (...data: unknown[]) => void>();
  for (const method of CONSOLE_METHODS) {
    own.set(method, console[method]);
    console[method] = (...data: unknown[]) => {
      show(`console.${method}`, consoleValue(data));
    };
  }
  return () => {
    for (const [method, original] of own) console[method] = original;
  };
}

async function run(request: CellRunRequest): Promise<CellRunResult> {
  const started = performance.now();
  const displayed: CellOutput[] = [];
  let displaysLeftOut = 0;
  const bound: string[] = [];
  exportsByCell.delete(request.cellId);
  const show = (label: string | null, value: unknown) => {
    if (displayed.length >= MAX_CELL_OUTPUTS) {
      displaysLeftOut += 1;
      return;
    }
    displayed.push({ label, value: toPlainData(value) });
  };
  const restoreConsole = captureConsole(show);
  try {
    const js = transform(request.source, { transforms: ['typescript'] }).code;
    bindScope(request, bound);
    scopeGlobal.display = (value: unknown, label?: string) => {
      show(typeof label === 'string' ? label : null, value);
    };
    const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
    const module = await importCell(url);
    const exported: Record<string, unknown> = { ...module };
    exportsByCell.set(request.cellId, exported);
    const outputs = Object.entries(exported).map(([name, value]) => ({
      label: name === 'default' ? null : name,
      value: toPlainData(value),
    }));
    const exportNames = Object.keys(exported).filter((name) => name !== 'default');
    return {
      ok: true,
      outputs: capOutputs([...outputs, ...displayed], displaysLeftOut),
      exportNames,
      millis: performance.now() - started,
    };
  } catch (error) {
    return failure(error);
  } finally {
    restoreConsole();
    for (const name of bound) delete scopeGlobal[name];
  }
}

const api: SandboxApi = {
  run,
  ping: async () => Object.keys(hw),
};

scopeGlobal.hw = hw;

self.addEventListener('message', function onFirst(event: MessageEvent) {
  const port = event.ports[0];
  if (!port) return;
  self.removeEventListener('message', onFirst);
  Comlink.expose(api, port);
});
