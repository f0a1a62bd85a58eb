// Plain-data messages between the notebook page and the sandboxed code-cell worker.

/** A request to run one code cell inside the sandbox. */
export interface CellRunRequest {
  cellId: string;
  /** The cell's TypeScript source, transformed inside the sandbox. */
  source: string;
  /** Plain values of plan cells (and other data) the cell reads, by name. */
  scope: Record<string, unknown>;
  /** Ids of code cells above whose exports the cell reads; they ran in this sandbox. */
  codeDeps: string[];
}

/** A value shown in a cell's output: an export (with its name) or a `display()` call. */
export interface CellOutput {
  label: string | null;
  value: unknown;
}

/** What running a code cell produced: its exports and displays, or a readable error. */
export type CellRunResult =
  | { ok: true; outputs: CellOutput[]; exportNames: string[]; millis: number }
  | { ok: false; error: { name: string; message: string; line: number | null } };

/** The API the sandbox worker exposes on its comlink port; the page only wraps it. */
export interface SandboxApi {
  run(request: CellRunRequest): Promise<CellRunResult>;
  /** Names of the capacity API, to check the sandbox is ready. */
  ping(): Promise<string[]>;
}

/** First message from the page to the iframe: carries the port and the runtime source. */
export interface SandboxInitMessage {
  type: 'hw-sandbox-init';
  nonce: string;
  runtime: string;
}
