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
import { SourceError } from '../lib/sources/errors.ts';
import { DEFAULT_HUB_BASE, loadHubSpec, normalHubBase } from '../lib/sources/hub.ts';
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

/** Hub specs by base, id and revision, so edits to other inputs do not fetch again. */
const hubSpecs = new Map<string, Promise<ModelSpec>>();

function hubSpec(
  model: Extract<PlanInputs['model'], { kind: 'hub' }>,
  hubBase: string,
  onProgress: ((progress: HubProgress) => void) | undefined,
): Promise<ModelSpec> {
  if (model.id.trim() === '') {
    const hint = 'Type a Hugging Face model id (org/name), such as meta-llama/Llama-3.1-8B.';
    return Promise.reject(new SourceError('unsupported', hint, { ref: '' }));
  }
  const base = normalHubBase(hubBase);
  const revision = model.revision?.trim() || 'main';
  const key = JSON.stringify([base, model.id.trim(), revision]);
  const cached = hubSpecs.get(key);
  if (cached) return cached;
  const loading = loadHubSpec(model.id.trim(), {
    hubBase: base,
    revision,
    onProgress: ({ file, filesDone, filesTotal, bytesRead }) => {
      try {
        const told: unknown = onProgress?.({ file, filesDone, filesTotal, bytesRead });
        if (told instanceof Promise) told.catch(() => undefined);
      } catch {
        return;
      }
    },
  });
  hubSpecs.set(key, loading);
  void loading.catch(() => hubSpecs.delete(key));
  return loading;
}

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
): Promise<ModelSpec> {
  const model = inputs.model;
  if (model.kind === 'catalogue') return catalogueSpec(model.id);
  if (model.kind === 'hub') return hubSpec(model, hubBase, onProgress);
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
   * with `onProgress` told after each file; pass it through Comlink.proxy.
   */
  async evaluate(
    inputs: PlanInputs,
    hubBase: string = DEFAULT_HUB_BASE,
    onProgress?: (progress: HubProgress) => void,
  ): Promise<PlanCellData> {
    try {
      const spec = await modelSpec(inputs, hubBase, onProgress);
      const result = plan(request(spec, inputs));
      return {
        ok: true,
        result,
        sweep: contextSweep(spec, inputs),
        maxContext: maxContextTable(spec, inputs, result),
      };
    } catch (error) {
      return { ok: false, error: errorData(error) };
    } finally {
      releaseCallback(onProgress);
    }
  },
};

/** The plan worker's API as the page sees it through comlink. */
export type PlanWorkerApi = typeof api;

Comlink.expose(api);
