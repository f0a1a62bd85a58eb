// The notebook runner: dependency order, re-runs of dependants, errors in place, held and stopped.
import { describe, expect, it } from 'vitest';
import { NotebookRunner, type CellRun, type CellSandbox } from '../../../app/_lib/runner.ts';
import { SandboxStopped } from '../../../app/_lib/sandbox-host.ts';
import {
  defaultPlanInputs,
  newNotebook,
  replaceCell,
  type Cell,
} from '../../../lib/notebook/model.ts';
import type { CellRunRequest, CellRunResult } from '../../../workers/sandbox/protocol.ts';
import type { PlanCellData } from '../../../workers/plan-types.ts';

const code = (id: string, source: string): Cell => ({ id, kind: 'code', source });
const plan = (id: string, name: string, contextTokens = 8192): Cell => ({
  id,
  kind: 'plan',
  name,
  inputs: { ...defaultPlanInputs(), contextTokens },
});

/** A sandbox that "runs" a cell by calling `behaviour` and records each request. */
function fakeSandbox(behaviour: (request: CellRunRequest) => Promise<CellRunResult>) {
  const calls: CellRunRequest[] = [];
  let stopper: ((error: Error) => void) | null = null;
  const sandbox: CellSandbox & { calls: CellRunRequest[] } = {
    generation: 0,
    calls,
    run(request) {
      calls.push(request);
      return new Promise((resolve, reject) => {
        stopper = reject;
        behaviour(request).then(resolve, reject);
      });
    },
    stop(message = 'Stopped.') {
      sandbox.generation += 1;
      stopper?.(new SandboxStopped(message));
    },
  };
  return sandbox;
}

const ok = (label: string, value: unknown): CellRunResult => ({
  ok: true,
  outputs: [{ label, value }],
  exportNames: [label],
  millis: 1,
});

/** A plan evaluator whose result carries the context it was given; 0 tokens is an error. */
async function evaluatePlan(inputs: { contextTokens: number }): Promise<PlanCellData> {
  if (inputs.contextTokens === 13) {
    return {
      ok: false,
      error: { code: 'invalid_field', field: 'contextTokens', expected: 'x', message: 'bad' },
    };
  }
  const result = { kv: { bytesPerToken: inputs.contextTokens } } as never;
  return {
    ok: true,
    result,
    sweep: { contextTokens: [], perDeviceBytes: [] },
    maxContext: { schemes: [], rows: [] },
  };
}

async function idle(runner: NotebookRunner): Promise<ReadonlyMap<string, CellRun>> {
  for (let i = 0; i < 200; i += 1) {
    const states = [...runner.snapshot().values()];
    if (!states.some((s) => s.status === 'queued' || s.status === 'running')) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return runner.snapshot();
}

function statuses(states: ReadonlyMap<string, CellRun>): Record<string, string> {
  return Object.fromEntries([...states].map(([id, s]) => [id, s.status]));
}

describe('NotebookRunner', () => {
  it('runs plans first and passes their results to the code cells that use them', async () => {
    const sandbox = fakeSandbox(async (r) => ok('x', r.scope));
    const nb = newNotebook('t', [plan('p', 'big', 4096), code('c', 'export const x = big')]);
    const runner = new NotebookRunner(nb, sandbox, evaluatePlan, { codeAllowed: true });
    runner.runAll();
    expect(statuses(await idle(runner))).toEqual({ p: 'done', c: 'done' });
    expect(sandbox.calls[0]?.scope).toEqual({ big: { kv: { bytesPerToken: 4096 } } });
  });

  it('re-runs the dependants of an edited plan cell with its new result', async () => {
    const sandbox = fakeSandbox(async (r) => ok('x', r.scope));
    let nb = newNotebook('t', [
      plan('p', 'big'),
      code('c', 'export const x = big'),
      code('d', '1'),
    ]);
    const runner = new NotebookRunner(nb, sandbox, evaluatePlan, { codeAllowed: true });
    runner.runAll();
    await idle(runner);
    nb = replaceCell(nb, plan('p', 'big', 2048));
    runner.setNotebook(nb);
    runner.run(['p']);
    await idle(runner);
    // d reads nothing, so it runs while p computes; c waits for p both times.
    expect(sandbox.calls.map((call) => call.cellId)).toEqual(['d', 'c', 'c']);
    expect(sandbox.calls[2]?.scope).toEqual({ big: { kv: { bytesPerToken: 2048 } } });
  });

  it('shows a failed cell in place, blocks its dependants and keeps other results', async () => {
    const sandbox = fakeSandbox(async (r) =>
      r.cellId === 'bad'
        ? { ok: false, error: { name: 'TypeError', message: 'boom', line: 3 } }
        : ok('v', 1),
    );
    const nb = newNotebook('t', [
      code('good', 'export const g = 1'),
      code('bad', 'export const b = 1'),
      code('after', 'export const a = b'),
    ]);
    const runner = new NotebookRunner(nb, sandbox, evaluatePlan, { codeAllowed: true });
    runner.runAll();
    const states = await idle(runner);
    expect(statuses(states)).toEqual({ good: 'done', bad: 'error', after: 'blocked' });
    expect(states.get('bad')).toMatchObject({ message: 'TypeError: boom', line: 3 });
  });

  it('reports a plan error with the field it names', async () => {
    const runner = new NotebookRunner(
      newNotebook('t', [plan('p', 'x', 13)]),
      fakeSandbox(async () => ok('v', 1)),
      evaluatePlan,
      { codeAllowed: true },
    );
    runner.runAll();
    expect((await idle(runner)).get('p')).toMatchObject({
      status: 'error',
      planError: { field: 'contextTokens' },
    });
  });

  it('holds code cells of a shared notebook until code is allowed, but runs plans', async () => {
    const sandbox = fakeSandbox(async () => ok('v', 1));
    const nb = newNotebook('t', [plan('p', 'x'), code('c', 'export const y = x')]);
    const runner = new NotebookRunner(nb, sandbox, evaluatePlan, { codeAllowed: false });
    runner.runAll();
    expect(statuses(await idle(runner))).toEqual({ p: 'done', c: 'held' });
    expect(sandbox.calls).toEqual([]);
    runner.codeAllowed = true;
    runner.run(['c']);
    expect(statuses(await idle(runner))).toEqual({ p: 'done', c: 'done' });
  });

  it('stops an endless cell and re-runs code it depends on in the fresh sandbox', async () => {
    const sandbox = fakeSandbox((r) =>
      r.source === 'loop'
        ? new Promise<CellRunResult>(() => undefined)
        : Promise.resolve(ok('v', 1)),
    );
    let nb = newNotebook('t', [code('a', 'export const a = 1'), code('b', 'loop')]);
    const runner = new NotebookRunner(nb, sandbox, evaluatePlan, { codeAllowed: true });
    runner.runAll();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(runner.snapshot().get('b')?.status).toBe('running');
    runner.stop();
    expect(statuses(await idle(runner))).toEqual({ a: 'done', b: 'stopped' });
    nb = replaceCell(nb, code('b', 'export const b = a'));
    runner.setNotebook(nb);
    runner.run(['b']);
    expect(statuses(await idle(runner))).toEqual({ a: 'done', b: 'done' });
    expect(sandbox.calls.map((call) => call.cellId)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('flags a name defined twice without running the cell', async () => {
    const sandbox = fakeSandbox(async () => ok('v', 1));
    const nb = newNotebook('t', [code('a', 'export const n = 1'), code('b', 'export const n = 2')]);
    const runner = new NotebookRunner(nb, sandbox, evaluatePlan, { codeAllowed: true });
    runner.runAll();
    expect(statuses(await idle(runner))).toEqual({ a: 'done', b: 'error' });
    expect(sandbox.calls.map((call) => call.cellId)).toEqual(['a']);
  });
});
