// Plain-data shapes the plan worker returns to the page.

import type { PlanResult } from '../lib/capacity/index.ts';

/** A capacity error as data: what was wrong, which field, what was expected. */
export interface PlanErrorData {
  code: string;
  field: string | null;
  expected: string | null;
  message: string;
}

/** The catalogue lists shown in plan-cell forms. */
export interface CatalogueData {
  models: { id: string; label: string; aliases: string[] }[];
  devices: { id: string; label: string; memoryBytes: number }[];
  weightSchemes: string[];
  kvDtypes: string[];
}

/** Memory on the busiest device against context length, for the plan's device layout. */
export interface ContextSweepData {
  contextTokens: number[];
  perDeviceBytes: (number | null)[];
  /** The model's own context limit in tokens (max_position_embeddings); absent when unknown. */
  modelLimitTokens?: number;
}

/** One cell of the largest-context table: tokens and what limited them, or why there is none. */
export type MaxContextEntry =
  | { tokens: number; limitedBy: 'memory' | 'model' | 'search_limit' }
  | { tokens: null; reason: 'does_not_fit' | 'unsupported' };

/** Largest context per device (rows) and weight scheme (columns). */
export interface MaxContextTable {
  schemes: string[];
  rows: { deviceId: string; label: string; entries: MaxContextEntry[] }[];
}

/** Everything a plan cell shows: the plan (one fit per device) and the chart data. */
export type PlanCellData =
  | {
      ok: true;
      result: PlanResult;
      sweep: ContextSweepData;
      maxContext: MaxContextTable;
    }
  | { ok: false; error: PlanErrorData };

/** How far a hub fetch has come: files read of the total (once known), header bytes so far. */
export interface HubProgress {
  /** The URL of the file just read. */
  file: string;
  filesDone: number;
  filesTotal: number | null;
  bytesRead: number;
}
