// The page's handle on the plan worker (a module worker wrapped with comlink).

import * as Comlink from 'comlink';
import type { HubProgress } from '../../workers/plan-types.ts';
import type { PlanWorkerApi } from '../../workers/plan.worker.ts';
import { hubBaseSetting } from './settings.ts';

let remote: Comlink.Remote<PlanWorkerApi> | null = null;

/** Name of the user-timing measure each plan evaluation records (DevTools, `npm run bench`). */
export const PLAN_EVALUATE_MEASURE = 'hwledger:plan-evaluate';

/** The shared plan worker, started on first use. */
export function planWorker(): Comlink.Remote<PlanWorkerApi> {
  if (!remote) {
    const worker = new Worker(new URL('../../workers/plan.worker.ts', import.meta.url), {
      type: 'module',
      name: 'hwledger-plan',
    });
    remote = Comlink.wrap<PlanWorkerApi>(worker);
  }
  return remote;
}

/**
 * Evaluates a plan cell in the worker and records the round trip as a user-timing measure, so
 * the time from an edit to its numbers can be read in DevTools or by the benchmark. A hub model
 * is fetched from the hub base URL setting, with `onProgress` told after each file.
 */
export async function evaluatePlan(
  inputs: Parameters<PlanWorkerApi['evaluate']>[0],
  onProgress?: (progress: HubProgress) => void,
): Promise<Awaited<ReturnType<PlanWorkerApi['evaluate']>>> {
  const start = performance.now();
  try {
    const hubBase = hubBaseSetting();
    if (inputs.model.kind !== 'hub' || !onProgress) {
      return await planWorker().evaluate(inputs, hubBase);
    }
    return await planWorker().evaluate(inputs, hubBase, Comlink.proxy(onProgress));
  } finally {
    performance.measure(PLAN_EVALUATE_MEASURE, { start, end: performance.now() });
  }
}
