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

async function run(request: CellRunRequest): Promise<CellRunResult> {
  const started = performance.now();
  const displayed: CellOutput[] = [];
  let displaysLeftOut = 0;
  const bound: string[] = [];
  exportsByCell.delete(request.cellId);
  try {
    const js = transform(request.source, { transforms: ['typescript'] }).code;
    bindScope(request, bound);
    scopeGlobal.display = (value: unknown, label?: string) => {
      if (displayed.length >= MAX_CELL_OUTPUTS) {
        displaysLeftOut += 1;
        return;
      }
      displayed.push({
        label: typeof label === 'string' ? label : null,
        value: toPlainData(value),
      });
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
