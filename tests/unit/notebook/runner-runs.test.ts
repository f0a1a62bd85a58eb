// The runner side by side: slow plans hold up only their dependants, Stop aborts for real, late
// results are dropped, and cells whose inputs were deleted or moved run again with a clear error.
import { describe, expect, it } from 'vitest';
import { NotebookRunner, type CellRun, type CellSandbox } from '../../../app/_lib/runner.ts';
import { SandboxStopped } from '../../../app/_lib/sandbox-host.ts';
import {
  defaultPlanInputs,
  deleteCell,
  moveCell,
  newNotebook,
  replaceCell,
  type Cell,
  type Notebook,
  type PlanInputs,
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
const hubPlan = (id: string, name: string): Cell => ({
  id,
  kind: 'plan',
  name,
  inputs: { ...defaultPlanInputs(), model: { kind: 'hub', id: 'org/slow' } },
});

/** A plan result standing for the inputs' context, so tests can tell runs apart. */
function planData(contextTokens: number): PlanCellData {
  return {
    ok: true,
    result: { kv: { bytesPerToken: contextTokens } } as never,
    sweep: { contextTokens: [], perDeviceBytes: [] },
    maxContext: { schemes: [], rows: [] },
  };
}

/** One evaluation the test finishes by hand; `signal` is what the runner gave it. */
interface HeldEvaluation {
  inputs: PlanInputs;
  signal: AbortSignal | undefined;
  finish(data: PlanCellData): void;
}

/** Evaluates catalogue models at once; hub models (and `slow` contexts) wait for the test. */
function plans(slowContext = -1) {
  const held: HeldEvaluation[] = [];
  const evaluate = (
    inputs: PlanInputs,
    _onProgress?: unknown,
    signal?: AbortSignal,
  ): Promise<PlanCellData> => {
    if (inputs.model.kind !== 'hub' && inputs.contextTokens !== slowContext) {
      return Promise.resolve(planData(inputs.contextTokens));
    }
    return new Promise((resolve) => held.push({ inputs, signal, finish: resolve }));
  };
  return { held, evaluate };
}

/** A sandbox whose cells read plan results from scope; a name not in scope is a ReferenceError. */
function scopeSandbox(uses: Record<string, string>) {
  const calls: CellRunRequest[] = [];
  const sandbox: CellSandbox & { calls: CellRunRequest[] } = {
    generation: 0,
    calls,
    run(request) {
      calls.push(request);
      const name = uses[request.cellId];
      if (name !== undefined && !(name in request.scope) && request.codeDeps.length === 0) {
        const error = { name: 'ReferenceError', message: `${name} is not defined`, line: 1 };
        return Promise.resolve<CellRunResult>({ ok: false, error });
      }
      const value = name === undefined ? 1 : request.scope[name];
      return Promise.resolve({
        ok: true,
        outputs: [{ label: 'v', value }],
        exportNames: ['v'],
        millis: 1,
      });
    },
    stop(message = 'Stopped.') {
      sandbox.generation += 1;
      void new SandboxStopped(message);
    },
  };
  return sandbox;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

async function settled(runner: NotebookRunner): Promise<ReadonlyMap<string, CellRun>> {
  for (let i = 0; i < 100; i += 1) {
    const states = [...runner.snapshot().values()];
    if (!states.some((s) => s.status === 'queued')) break;
    await tick();
  }
  await tick();
  return runner.snapshot();
}

function statuses(states: ReadonlyMap<string, CellRun>): Record<string, string> {
  return Object.fromEntries([...states].map(([id, s]) => [id, s.status]));
}

function runnerFor(nb: Notebook, uses: Record<string, string>, slowContext = -1) {
  const sandbox = scopeSandbox(uses);
  const evaluator = plans(slowContext);
  const runner = new NotebookRunner(nb, sandbox, evaluator.evaluate, { codeAllowed: true });
  return { runner, sandbox, held: evaluator.held };
}

describe('plan cells side by side', () => {
  const nb = newNotebook('t', [
    hubPlan('h', 'slow'),
    plan('k', 'quick', 4096),
    code('c', 'export const v = quick'),
    code('d', 'export const v2 = slow'),
  ]);

  it('computes other plans and the code that reads them while a hub fetch hangs', async () => {
    const { runner, held } = runnerFor(nb, { c: 'quick', d: 'slow' });
    runner.runAll();
    const states = await settled(runner);
    expect(statuses(states)).toEqual({
      h: 'running',
      k: 'done',
      c: 'done',
      d: 'queued',
    });
    expect(held.map((run) => run.inputs.model)).toEqual([{ kind: 'hub', id: 'org/slow' }]);
  });

  it('stops the hanging cell for real: its evaluation aborts and it shows stopped', async () => {
    const { runner, held } = runnerFor(nb, { c: 'quick', d: 'slow' });
    runner.runAll();
    await settled(runner);
    runner.stopCell('h');
    expect(held[0]?.signal?.aborted).toBe(true);
    const states = await settled(runner);
    expect(states.get('h')).toEqual({ status: 'stopped', message: 'Stopped by you.' });
    expect(states.get('d')).toEqual({
      status: 'blocked',
      message: 'Waits for cell 1 (slow), which has no result.',
    });
    expect(statuses(states)).toMatchObject({ k: 'done', c: 'done' });
  });

  it('drops the late result of a stopped run', async () => {
    const { runner, held } = runnerFor(nb, { c: 'quick', d: 'slow' });
    runner.runAll();
    await settled(runner);
    runner.stopCell('h');
    held[0]?.finish(planData(1234));
    const states = await settled(runner);
    expect(states.get('h')?.status).toBe('stopped');
    expect(states.get('d')?.status).toBe('blocked');
  });

  it('Stop in the toolbar aborts every plan evaluation in flight', async () => {
    const two = newNotebook('t', [hubPlan('h1', 'a'), hubPlan('h2', 'b'), code('c', '1')]);
    const { runner, held } = runnerFor(two, {});
    runner.runAll();
    await settled(runner);
    runner.stop();
    expect(held.map((run) => run.signal?.aborted)).toEqual([true, true]);
    expect(statuses(await settled(runner))).toEqual({ h1: 'stopped', h2: 'stopped', c: 'done' });
  });

  it('shows only the newest run of a plan re-run while it computes', async () => {
    let nb2 = newNotebook('t', [plan('p', 'big', 4096), code('c', 'export const v = big')]);
    const { runner, held, sandbox } = runnerFor(nb2, { c: 'big' }, 4096);
    runner.runAll();
    await settled(runner);
    nb2 = replaceCell(nb2, plan('p', 'big', 2048));
    runner.setNotebook(nb2);
    runner.run(['p']);
    expect(held[0]?.signal?.aborted).toBe(true);
    await settled(runner);
    held[0]?.finish(planData(4096));
    const states = await settled(runner);
    expect(states.get('p')).toMatchObject({ status: 'done', data: planData(2048) });
    expect(sandbox.calls.map((call) => call.scope)).toEqual([
      { big: { kv: { bytesPerToken: 2048 } } },
    ]);
  });

  it('forgets and aborts a plan cell deleted while it runs', async () => {
    let nb2 = newNotebook('t', [hubPlan('h', 'slow'), plan('k', 'quick')]);
    const { runner, held } = runnerFor(nb2, {});
    runner.runAll();
    await settled(runner);
    nb2 = deleteCell(nb2, 'h');
    runner.setNotebook(nb2);
    expect(held[0]?.signal?.aborted).toBe(true);
    held[0]?.finish(planData(1));
    expect(statuses(await settled(runner))).toEqual({ k: 'done' });
  });
});

describe('code whose inputs moved', () => {
  const base = () =>
    newNotebook('t', [
      plan('p', 'big', 4096),
      code('c', 'export const v = big'),
      code('e', 'export const w = 1'),
    ]);

  it('runs the dependants of a deleted plan cell again, naming the missing name', async () => {
    let nb = base();
    const { runner, sandbox } = runnerFor(nb, { c: 'big' });
    runner.runAll();
    expect(statuses(await settled(runner))).toEqual({ p: 'done', c: 'done', e: 'done' });
    nb = deleteCell(nb, 'p');
    runner.setNotebook(nb);
    const states = await settled(runner);
    expect(states.get('c')).toEqual({
      status: 'error',
      message:
        '"big" is not defined: no cell above this one defines it (was it deleted or renamed?)',
      line: 1,
      planError: null,
    });
    expect(sandbox.calls.map((call) => call.cellId)).toEqual(['e', 'c', 'c']);
  });

  it('says where a plan cell moved below its dependant went', async () => {
    let nb = base();
    const { runner } = runnerFor(nb, { c: 'big' });
    runner.runAll();
    await settled(runner);
    nb = moveCell(nb, 'p', 1);
    runner.setNotebook(nb);
    expect((await settled(runner)).get('c')).toMatchObject({
      status: 'error',
      message:
        '"big" is defined by cell 2, below this one; cells use only names from cells above ' +
        'them, so move cell 2 above cell 1',
    });
  });

  it('runs a dependant again with the new plan when a plan takes over the name', async () => {
    let nb = base();
    const { runner, sandbox } = runnerFor(nb, { c: 'big' });
    runner.runAll();
    await settled(runner);
    nb = { ...nb, cells: [plan('q', 'big', 1024), ...deleteCell(nb, 'p').cells] };
    runner.setNotebook(nb);
    const states = await settled(runner);
    expect(states.get('c')).toMatchObject({ status: 'done' });
    expect(sandbox.calls.at(-1)?.scope).toEqual({ big: { kv: { bytesPerToken: 1024 } } });
  });

  it('leaves a cell whose own code was edited for the user to run', async () => {
    let nb = base();
    const { runner, sandbox } = runnerFor(nb, { c: 'big' });
    runner.runAll();
    await settled(runner);
    nb = replaceCell(nb, code('c', 'export const v = 2'));
    runner.setNotebook(nb);
    await settled(runner);
    expect(sandbox.calls).toHaveLength(2);
  });
});

describe('cycles', () => {
  it('names a cycle between code cells instead of a raw ReferenceError', async () => {
    const nb = newNotebook('t', [
      code('x', 'export const a = b + 1'),
      code('y', 'export const b = a + 1'),
    ]);
    const { runner } = runnerFor(nb, { x: 'b' });
    runner.runAll();
    const states = await settled(runner);
    expect(states.get('x')).toMatchObject({
      status: 'error',
      message:
        'cycle: a -> b -> a. This cell uses "b" from cell 2 below it, which needs this cell; ' +
        'cells use only names from cells above them, so break the cycle',
    });
    expect(states.get('y')).toMatchObject({
      status: 'blocked',
      message: 'Waits for cell 1 (a), which has no result.',
    });
  });
});

describe('stopping code', () => {
  /** A sandbox where `loop` never ends until stopped; a stop rejects the runs in flight. */
  function loopSandbox() {
    const calls: string[] = [];
    const rejects = new Set<(error: Error) => void>();
    const sandbox: CellSandbox & { calls: string[] } = {
      generation: 0,
      calls,
      run(request) {
        calls.push(request.cellId);
        if (request.source !== 'loop') {
          return Promise.resolve({ ok: true, outputs: [], exportNames: [], millis: 1 });
        }
        return new Promise<CellRunResult>((_, reject) => rejects.add(reject));
      },
      stop(message = 'Stopped.') {
        sandbox.generation += 1;
        for (const reject of rejects) reject(new SandboxStopped(message));
        rejects.clear();
      },
    };
    return sandbox;
  }

  it('ends the endless run of a cell queued again, so other code can run', async () => {
    const nb = newNotebook('t', [code('l', 'loop'), code('n', 'export const n = 1')]);
    const sandbox = loopSandbox();
    const runner = new NotebookRunner(nb, sandbox, plans().evaluate, { codeAllowed: true });
    runner.run(['l']);
    await tick();
    runner.run(['l', 'n']);
    expect(statuses(runner.snapshot())).toEqual({ l: 'queued', n: 'queued' });
    runner.stopCell('l');
    const states = await settled(runner);
    expect(states.get('l')).toEqual({ status: 'stopped', message: 'Stopped by you.' });
    expect(states.get('n')?.status).toBe('done');
    expect(sandbox.calls).toEqual(['l', 'n']);
  });
});
