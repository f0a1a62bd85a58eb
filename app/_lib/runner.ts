// Runs a notebook's cells in dependency order: plans at once in the plan worker, code in turn.

import {
  buildGraph,
  explainMissingName,
  runOrder,
  type GraphNode,
  type NotebookGraph,
} from '../../lib/notebook/graph.ts';
import type { Cell, Notebook } from '../../lib/notebook/model.ts';
import type { CellRunResult } from '../../workers/sandbox/protocol.ts';
import type { HubProgress, PlanCellData, PlanErrorData } from '../../workers/plan-types.ts';
import { SandboxStopped, type SandboxHost } from './sandbox-host.ts';

/** What the runner needs of a sandbox (the real SandboxHost, or a fake in tests). */
export type CellSandbox = Pick<SandboxHost, 'generation' | 'run' | 'stop'>;

/** How long a code cell may run before it is stopped, in milliseconds. */
export const CELL_TIMEOUT_MS = 30_000;

type PlanOk = Extract<PlanCellData, { ok: true }>;
type CodeOk = Extract<CellRunResult, { ok: true }>;

/** The run state of one cell, as the page shows it. */
export type CellRun =
  | { status: 'idle' }
  | { status: 'queued' }
  | { status: 'running'; progress?: HubProgress }
  | { status: 'done'; kind: 'plan'; data: PlanOk }
  | { status: 'done'; kind: 'code'; result: CodeOk; generation: number }
  | { status: 'error'; message: string; line: number | null; planError: PlanErrorData | null }
  | { status: 'stopped'; message: string }
  | { status: 'blocked'; message: string }
  | { status: 'held'; message: string };

/**
 * Evaluates a plan cell's inputs (the plan worker, or a fake in tests); a hub model's fetch
 * reports to `onProgress` after each file. Aborting `signal` must end the evaluation's work (the
 * hub fetch included); whatever it answers afterwards is dropped.
 */
export type PlanEvaluator = (
  inputs: Extract<Cell, { kind: 'plan' }>['inputs'],
  onProgress?: (progress: HubProgress) => void,
  signal?: AbortSignal,
) => Promise<PlanCellData>;

/** A cell running now: its run number (a result of any other is stale) and how to end it. */
interface ActiveRun {
  runId: number;
  /** Ends a plan evaluation; null for a code cell, which only a sandbox stop ends. */
  abort: AbortController | null;
}

const STOPPED_BY_YOU = 'Stopped by you.';
const STOPPED_BEFORE = 'Stopped before it ran.';

/** Why code cells of a notebook from a link or a file wait. */
export const HELD_MESSAGE =
  'Not run: this notebook was opened from a link. Choose "Run code cells" to run its code.';

/** Why code cells wait in a saved notebook whose last code run began and never settled. */
export const CRASH_HELD_MESSAGE =
  "Not run: the last run of this notebook's code did not finish (the tab may have crashed). " +
  'Choose "Run code cells" to run its code again.';

/** Why a plan cell naming a hub model waits in a notebook from a link or a file. */
export function hubHeldMessage(id: string, hubBase: string): string {
  const model = id.trim() === '' ? 'a model' : id.trim();
  return (
    `Not fetched: this notebook came from a link or a file, and this cell would fetch ` +
    `${model} from ${hubBase}. Nothing is requested from a hub for such a notebook until you ` +
    'choose "Run code cells and fetch hub models" above.'
  );
}

/**
 * Queues and runs cells; the page subscribes to its state snapshots. Plan cells run at once,
 * side by side (a slow hub fetch holds up only its own dependants); code cells share one sandbox
 * and run one at a time. Each run has a number, and a result whose run was stopped or replaced
 * by a newer one is dropped.
 */
export class NotebookRunner {
  /** Whether code cells run and hub models are fetched (false for links and files at first). */
  codeAllowed: boolean;
  /** What a held code cell says (why code waits: a link, or a run that never finished). */
  heldMessage: string;
  /** Told when a code cell starts (true) and when its run settles (false). */
  private readonly onCodeRun: (running: boolean) => void;
  private notebook: Notebook;
  /** The hub base URL plan cells fetch from, for messages. */
  private readonly hubBase: () => string;
  private graph: NotebookGraph;
  private states: ReadonlyMap<string, CellRun> = new Map();
  /** Cells queued to run, waiting for what they read or for the sandbox. */
  private pending = new Set<string>();
  private active = new Map<string, ActiveRun>();
  /** Cells started or settled since the runner was last idle; never pulled in again till then. */
  private attempted = new Set<string>();
  /** The code cell the sandbox is busy with (even one whose result will be dropped), or null. */
  private sandboxCell: string | null = null;
  private lastRunId = 0;
  private listeners = new Set<() => void>();

  constructor(
    notebook: Notebook,
    private readonly sandbox: CellSandbox,
    private readonly evaluatePlan: PlanEvaluator,
    options: {
      codeAllowed: boolean;
      hubBase?: () => string;
      heldMessage?: string;
      onCodeRun?: (running: boolean) => void;
    },
  ) {
    this.notebook = notebook;
    this.graph = buildGraph(notebook);
    this.codeAllowed = options.codeAllowed;
    this.heldMessage = options.heldMessage ?? HELD_MESSAGE;
    this.onCodeRun = options.onCodeRun ?? (() => undefined);
    this.hubBase = options.hubBase ?? (() => 'the hub');
  }

  /** The current states, replaced (never mutated) on each change. */
  snapshot = (): ReadonlyMap<string, CellRun> => this.states;

  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Takes the latest notebook (after an edit). Deleted cells are stopped and forgotten; a cell
   * whose code is unchanged but whose inputs now come from other cells, or from none (a plan
   * cell deleted, renamed or moved below it), runs again, so it never shows numbers from
   * inputs that are gone. Nothing else runs.
   */
  setNotebook(notebook: Notebook): void {
    const before = this.notebook;
    const beforeGraph = this.graph;
    this.notebook = notebook;
    this.graph = buildGraph(notebook);
    this.forgetDeleted();
    const rerun = notebook.cells
      .filter((cell) => this.inputsMoved(cell, before, beforeGraph))
      .map((cell) => cell.id);
    if (rerun.length > 0) this.run(rerun);
  }

  /** The current dependency graph. */
  currentGraph(): NotebookGraph {
    return this.graph;
  }

  /** Runs `ids` and every cell that depends on them; a run in progress is replaced. */
  run(ids: readonly string[]): void {
    const known = ids.filter((id) => this.graph.byId.has(id));
    for (const id of runOrder(this.graph, known)) {
      this.abandon(id);
      this.pending.add(id);
      this.set(id, { status: 'queued' });
    }
    this.pump();
  }

  /** Runs every cell from the top. */
  runAll(): void {
    this.run(this.notebook.cells.map((cell) => cell.id));
  }

  /** Stops every running cell (hub fetches included) and everything queued. */
  stop(): void {
    for (const id of [...this.pending])
      this.settle(id, { status: 'stopped', message: STOPPED_BEFORE });
    for (const [id, run] of [...this.active]) {
      if (run.abort) this.stopPlan(id, run.abort);
    }
    if (this.sandboxCell !== null) this.sandbox.stop(STOPPED_BY_YOU);
    this.pump();
  }

  /**
   * Stops one cell: a queued cell is taken off the queue, a plan cell's evaluation and hub fetch
   * end, a code cell ends with the sandbox (which then starts afresh). Its dependants that wait
   * for it say so; other cells keep running.
   */
  stopCell(id: string): void {
    const inSandbox = this.sandboxCell === id;
    if (this.pending.has(id)) {
      this.settle(id, { status: 'stopped', message: inSandbox ? STOPPED_BY_YOU : STOPPED_BEFORE });
    }
    const run = this.active.get(id);
    if (run?.abort) this.stopPlan(id, run.abort);
    else if (inSandbox) this.sandbox.stop(STOPPED_BY_YOU);
    this.pump();
  }

  private stopPlan(id: string, abort: AbortController): void {
    this.active.delete(id);
    abort.abort(new Error(STOPPED_BY_YOU));
    this.set(id, { status: 'stopped', message: STOPPED_BY_YOU });
  }

  /** Drops the run of `id` in progress, if any, so that its result is never shown. */
  private abandon(id: string): void {
    const run = this.active.get(id);
    if (!run) return;
    this.active.delete(id);
    run.abort?.abort(new Error('Replaced by a newer run.'));
  }

  private forgetDeleted(): void {
    const gone = [...this.states.keys()].filter((id) => !this.graph.byId.has(id));
    if (gone.length === 0) return;
    for (const id of gone) {
      this.pending.delete(id);
      this.abandon(id);
      if (this.sandboxCell === id) this.sandbox.stop('The running cell was deleted.');
    }
    const next = new Map(this.states);
    for (const id of gone) next.delete(id);
    this.states = next;
    this.notify();
  }

  /** Whether `cell` has a result (or error) made from inputs that now come from elsewhere. */
  private inputsMoved(cell: Cell, before: Notebook, beforeGraph: NotebookGraph): boolean {
    const status = this.states.get(cell.id)?.status;
    if (cell.kind !== 'code' || status === undefined) return false;
    if (status === 'idle' || status === 'queued' || status === 'held') return false;
    const old = before.cells.find((c) => c.id === cell.id);
    if (old?.kind !== 'code' || old.source !== cell.source) return false;
    const was = beforeGraph.byId.get(cell.id)?.dependsOn ?? [];
    const now = this.graph.byId.get(cell.id)?.dependsOn ?? [];
    return was.length !== now.length || was.some((id, i) => now[i] !== id);
  }

  private set(id: string, state: CellRun): void {
    const next = new Map(this.states);
    next.set(id, state);
    this.states = next;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private settle(id: string, state: CellRun): void {
    this.pending.delete(id);
    this.attempted.add(id);
    this.set(id, state);
  }

  private ready(id: string): boolean {
    const state = this.states.get(id);
    if (state?.status !== 'done') return false;
    return state.kind === 'plan' || state.generation === this.sandbox.generation;
  }

  /** Starts every queued cell whose inputs are ready, in notebook order, until none can start. */
  private pump(): void {
    for (let moved = true; moved;) {
      moved = false;
      for (const node of this.graph.nodes) {
        if (this.pending.has(node.id) && this.step(node)) moved = true;
      }
    }
    for (const id of [...this.pending]) {
      if (!this.graph.byId.has(id)) this.pending.delete(id);
    }
    if (this.pending.size === 0 && this.active.size === 0 && this.sandboxCell === null) {
      this.attempted.clear();
    }
  }

  /** Settles, starts or pulls in what one queued cell needs; whether anything changed. */
  private step(node: GraphNode): boolean {
    const cell = this.notebook.cells.find((c) => c.id === node.id);
    if (!cell) {
      this.pending.delete(node.id);
      return true;
    }
    const early = this.stateWithoutRunning(cell, node);
    if (early) {
      this.settle(cell.id, early);
      return true;
    }
    for (const dep of node.dependsOn) {
      if (this.pending.has(dep) || this.active.has(dep)) return false;
      if (this.ready(dep)) continue;
      if (!this.attempted.has(dep) && this.states.get(dep)?.status !== 'error') {
        this.pending.add(dep);
        this.set(dep, { status: 'queued' });
        return true;
      }
      const message = `Waits for ${this.describe(dep)}, which has no result.`;
      this.settle(cell.id, { status: 'blocked', message });
      return true;
    }
    if (cell.kind === 'code' && this.sandboxCell !== null) return false;
    this.start(cell, node);
    return true;
  }

  /** The state of a cell that cannot run: a static error, prose, or held for consent. */
  private stateWithoutRunning(cell: Cell, node: GraphNode): CellRun | null {
    if (node.error) return { status: 'error', message: node.error, line: null, planError: null };
    if (cell.kind === 'markdown') return { status: 'idle' };
    if (cell.kind === 'code' && !this.codeAllowed) {
      return { status: 'held', message: this.heldMessage };
    }
    if (cell.kind === 'plan' && cell.inputs.model.kind === 'hub' && !this.codeAllowed) {
      return { status: 'held', message: hubHeldMessage(cell.inputs.model.id, this.hubBase()) };
    }
    return null;
  }

  private start(cell: Cell, node: GraphNode): void {
    this.pending.delete(cell.id);
    this.attempted.add(cell.id);
    this.lastRunId += 1;
    const runId = this.lastRunId;
    if (cell.kind === 'plan') {
      const abort = new AbortController();
      this.active.set(cell.id, { runId, abort });
      this.set(cell.id, { status: 'running' });
      void this.runPlan(cell, runId, abort.signal);
    } else if (cell.kind === 'code') {
      this.active.set(cell.id, { runId, abort: null });
      this.sandboxCell = cell.id;
      this.set(cell.id, { status: 'running' });
      void this.runCode(cell, node.dependsOn, runId);
    }
  }

  /** Shows the state a run ended in, unless the run was stopped or replaced meanwhile. */
  private finish(id: string, runId: number, state: CellRun): void {
    if (this.active.get(id)?.runId !== runId) return;
    this.active.delete(id);
    this.set(id, state);
  }

  private describe(id: string): string {
    const index = this.notebook.cells.findIndex((cell) => cell.id === id);
    const names = this.graph.byId.get(id)?.defines ?? [];
    return `cell ${index + 1}${names.length ? ` (${names.join(', ')})` : ''}`;
  }

  private async runPlan(
    cell: Extract<Cell, { kind: 'plan' }>,
    runId: number,
    signal: AbortSignal,
  ): Promise<void> {
    const onProgress = (progress: HubProgress) => {
      if (this.active.get(cell.id)?.runId === runId) {
        this.set(cell.id, { status: 'running', progress });
      }
    };
    try {
      const data = await this.evaluatePlan(cell.inputs, onProgress, signal);
      if (data.ok) this.finish(cell.id, runId, { status: 'done', kind: 'plan', data });
      else {
        const message = data.error.message;
        const state: CellRun = { status: 'error', message, line: null, planError: data.error };
        this.finish(cell.id, runId, state);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The plan worker failed.';
      this.finish(cell.id, runId, { status: 'error', message, line: null, planError: null });
    } finally {
      this.pump();
    }
  }

  private async runCode(
    cell: Extract<Cell, { kind: 'code' }>,
    deps: string[],
    runId: number,
  ): Promise<void> {
    const scope: Record<string, unknown> = {};
    const codeDeps: string[] = [];
    for (const dep of deps) {
      const state = this.states.get(dep);
      if (state?.status === 'done' && state.kind === 'plan') {
        const name = this.graph.byId.get(dep)?.defines[0];
        if (name) scope[name] = state.data.result;
      } else codeDeps.push(dep);
    }
    const generation = this.sandbox.generation;
    this.onCodeRun(true);
    try {
      const result = await this.sandbox.run(
        { cellId: cell.id, source: cell.source, scope, codeDeps },
        CELL_TIMEOUT_MS,
      );
      if (result.ok) {
        this.finish(cell.id, runId, { status: 'done', kind: 'code', result, generation });
      } else {
        const { line } = result.error;
        const message = this.codeErrorMessage(cell.id, result.error);
        this.finish(cell.id, runId, { status: 'error', message, line, planError: null });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The sandbox failed.';
      if (error instanceof SandboxStopped) {
        this.finish(cell.id, runId, { status: 'stopped', message });
      } else this.finish(cell.id, runId, { status: 'error', message, line: null, planError: null });
    } finally {
      this.sandboxCell = null;
      this.onCodeRun(false);
      this.pump();
    }
  }

  /**
   * A code cell's error as shown: "name: message", or for a name that is not defined, why in
   * the notebook's terms (deleted, defined below, or a cycle such as `cycle: a -> b -> a`).
   */
  private codeErrorMessage(id: string, error: { name: string; message: string }): string {
    const missing = /^(\S+) is not defined$/.exec(error.message)?.[1];
    if (error.name === 'ReferenceError' && missing) {
      const explained = explainMissingName(this.graph, id, missing);
      if (explained) return explained;
    }
    return `${error.name}: ${error.message}`;
  }
}
