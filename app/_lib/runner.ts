// Runs a notebook's cells in dependency order: plan cells in the plan worker, code in the sandbox.

import { buildGraph, type NotebookGraph } from '../../lib/notebook/graph.ts';
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
 * reports to `onProgress` after each file.
 */
export type PlanEvaluator = (
  inputs: Extract<Cell, { kind: 'plan' }>['inputs'],
  onProgress?: (progress: HubProgress) => void,
) => Promise<PlanCellData>;

const HELD_MESSAGE =
  'Not run: this notebook was opened from a link. Choose "Run code cells" to run its code.';

/** Why a plan cell naming a hub model waits in a notebook from a link or a file. */
export function hubHeldMessage(id: string, hubBase: string): string {
  const model = id.trim() === '' ? 'a model' : id.trim();
  return (
    `Not fetched: this notebook came from a link or a file, and this cell would fetch ` +
    `${model} from ${hubBase}. Nothing is requested from a hub for such a notebook until you ` +
    'choose "Run code cells and fetch hub models" above.'
  );
}

/** Queues and runs cells; the page subscribes to its state snapshots. */
export class NotebookRunner {
  /** Whether code cells run and hub models are fetched (false for links and files at first). */
  codeAllowed: boolean;
  private notebook: Notebook;
  /** The hub base URL plan cells fetch from, for messages. */
  private readonly hubBase: () => string;
  private graph: NotebookGraph;
  private states: ReadonlyMap<string, CellRun> = new Map();
  private queue: string[] = [];
  private busy = false;
  private listeners = new Set<() => void>();

  constructor(
    notebook: Notebook,
    private readonly sandbox: CellSandbox,
    private readonly evaluatePlan: PlanEvaluator,
    options: { codeAllowed: boolean; hubBase?: () => string },
  ) {
    this.notebook = notebook;
    this.graph = buildGraph(notebook);
    this.codeAllowed = options.codeAllowed;
    this.hubBase = options.hubBase ?? (() => 'the hub');
  }

  /** The current states, replaced (never mutated) on each change. */
  snapshot = (): ReadonlyMap<string, CellRun> => this.states;

  /** Calls `listener` after each change; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Takes the latest notebook (after an edit); runs nothing by itself. */
  setNotebook(notebook: Notebook): void {
    this.notebook = notebook;
    this.graph = buildGraph(notebook);
  }

  /** The current dependency graph. */
  currentGraph(): NotebookGraph {
    return this.graph;
  }

  /** Runs `ids` and every cell that depends on them, in notebook order. */
  run(ids: readonly string[]): void {
    const order = new Set<string>(ids);
    for (const node of this.graph.nodes) {
      if (node.dependsOn.some((dep) => order.has(dep))) order.add(node.id);
    }
    const ordered = this.graph.nodes.map((n) => n.id).filter((id) => order.has(id));
    for (const id of ordered) {
      if (!this.queue.includes(id)) this.queue.push(id);
      this.set(id, { status: 'queued' });
    }
    void this.drain();
  }

  /** Runs every cell from the top. */
  runAll(): void {
    this.run(this.notebook.cells.map((cell) => cell.id));
  }

  /** Stops the running code cell and everything queued. */
  stop(): void {
    const dropped = this.queue.splice(0);
    for (const id of dropped)
      this.set(id, { status: 'stopped', message: 'Stopped before it ran.' });
    this.sandbox.stop('Stopped by you.');
  }

  private set(id: string, state: CellRun): void {
    const next = new Map(this.states);
    next.set(id, state);
    this.states = next;
    for (const listener of this.listeners) listener();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let id = this.queue.shift(); id !== undefined; id = this.queue.shift()) {
        await this.runOne(id, new Set());
      }
    } finally {
      this.busy = false;
    }
  }

  private ready(id: string): boolean {
    const state = this.states.get(id);
    if (state?.status !== 'done') return false;
    return state.kind === 'plan' || state.generation === this.sandbox.generation;
  }

  private async runOne(id: string, visiting: Set<string>): Promise<void> {
    const cell = this.notebook.cells.find((c) => c.id === id);
    const node = this.graph.byId.get(id);
    if (!cell || !node || visiting.has(id)) return;
    visiting.add(id);
    if (node.error) {
      this.set(id, { status: 'error', message: node.error, line: null, planError: null });
      return;
    }
    if (cell.kind === 'markdown') {
      this.set(id, { status: 'idle' });
      return;
    }
    if (cell.kind === 'code' && !this.codeAllowed) {
      this.set(id, { status: 'held', message: HELD_MESSAGE });
      return;
    }
    if (cell.kind === 'plan' && cell.inputs.model.kind === 'hub' && !this.codeAllowed) {
      this.set(id, {
        status: 'held',
        message: hubHeldMessage(cell.inputs.model.id, this.hubBase()),
      });
      return;
    }
    for (const dep of node.dependsOn) {
      if (!this.ready(dep) && this.states.get(dep)?.status !== 'error') {
        this.queue = this.queue.filter((queued) => queued !== dep);
        await this.runOne(dep, visiting);
      }
      if (!this.ready(dep)) {
        this.set(id, {
          status: 'blocked',
          message: `Waits for ${this.describe(dep)}, which has no result.`,
        });
        return;
      }
    }
    this.set(id, { status: 'running' });
    if (cell.kind === 'plan') await this.runPlan(cell);
    else await this.runCode(cell, node.dependsOn);
  }

  private describe(id: string): string {
    const index = this.notebook.cells.findIndex((cell) => cell.id === id);
    const names = this.graph.byId.get(id)?.defines ?? [];
    return `cell ${index + 1}${names.length ? ` (${names.join(', ')})` : ''}`;
  }

  private async runPlan(cell: Extract<Cell, { kind: 'plan' }>): Promise<void> {
    try {
      const onProgress = (progress: HubProgress) => {
        if (this.states.get(cell.id)?.status === 'running') {
          this.set(cell.id, { status: 'running', progress });
        }
      };
      const data = await this.evaluatePlan(cell.inputs, onProgress);
      if (data.ok) this.set(cell.id, { status: 'done', kind: 'plan', data });
      else {
        const message = data.error.message;
        this.set(cell.id, { status: 'error', message, line: null, planError: data.error });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The plan worker failed.';
      this.set(cell.id, { status: 'error', message, line: null, planError: null });
    }
  }

  private async runCode(cell: Extract<Cell, { kind: 'code' }>, deps: string[]): Promise<void> {
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
    try {
      const result = await this.sandbox.run(
        { cellId: cell.id, source: cell.source, scope, codeDeps },
        CELL_TIMEOUT_MS,
      );
      if (result.ok) this.set(cell.id, { status: 'done', kind: 'code', result, generation });
      else {
        const { name, message, line } = result.error;
        this.set(cell.id, {
          status: 'error',
          message: `${name}: ${message}`,
          line,
          planError: null,
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The sandbox failed.';
      if (error instanceof SandboxStopped) this.set(cell.id, { status: 'stopped', message });
      else this.set(cell.id, { status: 'error', message, line: null, planError: null });
    }
  }
}
