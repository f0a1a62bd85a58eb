// The plan worker: evaluates plan cells with the capacity library, off the page's thread.

import * as Comlink from 'comlink';
import {
  catalogueSpec,
  DEVICE_CATALOGUE,
  KV_DTYPES,
  MODEL_CATALOGUE,
  parseHfConfig,
  plan,
  WEIGHT_SCHEME_NAMES,
  type ModelSpec,
} from '../lib/capacity/index.ts';
import type { PlanInputs } from '../lib/notebook/model.ts';
import { DEFAULT_HUB_BASE } from '../lib/sources/hub-base.ts';
import type { HubSpecs } from './plan-hub.ts';
import { contextSweep, maxContextTable, planRequest as request } from './plan-tables.ts';
import type { CatalogueData, HubProgress, PlanCellData, PlanErrorData } from './plan-types.ts';

function errorData(error: unknown): PlanErrorData {
  const raw = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return {
    code: typeof raw.code === 'string' ? raw.code : 'error',
    field: typeof raw.field === 'string' ? raw.field : null,
    expected: typeof raw.expected === 'string' ? raw.expected : null,
    message: error instanceof Error ? error.message : String(error),
  };
}

/**
 * Hub model specs, one fetch per base, id and revision shared by the cells that wait for it.
 * The hub client loads with the first hub cell, so catalogue plans start without it.
 */
let hubSpecs: Promise<HubSpecs> | null = null;

function hubSpecsLoaded(): Promise<HubSpecs> {
  hubSpecs ??= import('./plan-hub.ts').then(
    (module) => new module.HubSpecs(),
    (error: unknown) => {
      hubSpecs = null;
      throw error;
    },
  );
  return hubSpecs;
}

/** Evaluations in flight by the page's run id, so `cancel` can end them. */
const runs = new Map<number, AbortController>();

/** What an evaluation ended by `cancel` answers; the page drops it. */
const CANCELLED: PlanErrorData = {
  code: 'cancelled',
  field: null,
  expected: null,
  message: 'Stopped.',
};

/** Lets the page drop a Comlink-proxied callback once an evaluation is over. */
function releaseCallback(callback: unknown): void {
  if (typeof callback !== 'function') return;
  const release = (callback as Partial<Comlink.ProxyMethods>)[Comlink.releaseProxy];
  if (typeof release === 'function') void Promise.resolve(release()).catch(() => undefined);
}

async function modelSpec(
  inputs: PlanInputs,
  hubBase: string,
  onProgress: ((progress: HubProgress) => void) | undefined,
  signal: AbortSignal,
): Promise<ModelSpec> {
  const model = inputs.model;
  if (model.kind === 'catalogue') return catalogueSpec(model.id);
  if (model.kind === 'hub') {
    const specs = await hubSpecsLoaded();
    return specs.get({
      id: model.id,
      ...(model.revision === undefined ? {} : { revision: model.revision }),
      hubBase,
      ...(onProgress ? { onProgress } : {}),
      signal,
    });
  }
  return parseHfConfig(model.text, { name: model.fileName ?? 'pasted config.json' });
}

const api = {
  /** The model and device catalogues and the scheme lists, for the plan-cell forms. */
  catalogue(): CatalogueData {
    return {
      models: MODEL_CATALOGUE.map((model) => ({
        id: model.id,
        label: model.id,
        aliases: [...model.aliases],
      })),
      devices: DEVICE_CATALOGUE.map((device) => ({
        id: device.id,
        label: device.name,
        memoryBytes: device.memoryBytes,
      })),
      weightSchemes: [...WEIGHT_SCHEME_NAMES],
      kvDtypes: [...KV_DTYPES],
    };
  },

  /**
   * Evaluates one plan cell: the plan on each device, the context sweep, the table. A hub
   * model is fetched from `hubBase` (once per base, id and revision; failures are not kept)
   * with `onProgress` told after each file; pass it through Comlink.proxy. `runId` lets
   * `cancel` end the evaluation (an AbortSignal cannot cross to the worker).
   */
  async evaluate(
    inputs: PlanInputs,
    hubBase: string = DEFAULT_HUB_BASE,
    onProgress?: (progress: HubProgress) => void,
    runId?: number,
  ): Promise<PlanCellData> {
    const controller = new AbortController();
    if (runId !== undefined) runs.set(runId, controller);
    try {
      const spec = await modelSpec(inputs, hubBase, onProgress, controller.signal);
      if (controller.signal.aborted) return { ok: false, error: CANCELLED };
      const result = plan(request(spec, inputs));
      return {
        ok: true,
        result,
        sweep: contextSweep(spec, inputs),
        maxContext: maxContextTable(spec, inputs, result),
      };
    } catch (error) {
      if (controller.signal.aborted) return { ok: false, error: CANCELLED };
      return { ok: false, error: errorData(error) };
    } finally {
      if (runId !== undefined) runs.delete(runId);
      releaseCallback(onProgress);
    }
  },

  /**
   * Ends evaluation `runId`: its wait for a hub model ends at once, and the model's fetch is
   * aborted (the request and any body read) unless another cell still waits for it.
   */
  cancel(runId: number): void {
    runs.get(runId)?.abort(new Error('Stopped.'));
  },
};

/** The plan worker's API as the page sees it through comlink. */
export type PlanWorkerApi = typeof api;

Comlink.expose(api);
