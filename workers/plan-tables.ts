// The chart data of a plan cell: memory against context and the largest-context table.

import {
  parseWeightScheme,
  plan,
  WEIGHT_SCHEME_NAMES,
  type EngineName,
  type ModelSpec,
  type PlanRequest,
  type PlanResult,
} from '../lib/capacity/index.ts';
import { checkEngineLoads } from '../lib/capacity/profiles/compatibility.ts';
import type { PlanInputs } from '../lib/notebook/model.ts';
import type { ContextSweepData, MaxContextEntry, MaxContextTable } from './plan-types.ts';

/**
 * Weight schemes the largest-context table compares with the plan's own, per engine: each
 * engine's usual full, 8-bit and 4-bit formats, since a column the engine cannot load says
 * nothing (vLLM does not load GGUF types; llama.cpp loads nothing but GGUF).
 */
export const COMPARED_SCHEMES: Readonly<Record<EngineName, readonly string[]>> = {
  'llama.cpp': ['bf16', 'Q8_0', 'Q4_K_M'],
  ollama: ['bf16', 'Q8_0', 'Q4_K_M'],
  vllm: ['bf16', 'fp8', 'awq-4bit-g128'],
  'transformers.js': ['f16', 'int8', 'gptq-4bit-g32'],
};

/** Shortest context the sweep starts from when the model allows it, in tokens. */
const SWEEP_START_TOKENS = 1024;

/** Longest context the sweep reaches at least (when the model allows it), in tokens. */
const SWEEP_MIN_TOP_TOKENS = 131_072;

/** Sweep points below the top at least, so a short-context model still draws a curve. */
const SWEEP_MIN_DOUBLINGS = 3;

function devicesOf(inputs: PlanInputs): string[] {
  return [inputs.device, ...inputs.compareDevices.filter((id) => id !== inputs.device)];
}

/** The capacity request a plan cell's inputs stand for, with `patch` laid over it. */
export function planRequest(
  spec: ModelSpec,
  inputs: PlanInputs,
  patch: Partial<PlanRequest> = {},
): PlanRequest {
  const base: PlanRequest = {
    model: spec,
    weights: inputs.weights,
    kv: inputs.kv,
    contextTokens: inputs.contextTokens,
    batch: inputs.batch,
    engine: inputs.engine,
    devices: devicesOf(inputs),
    gpus: inputs.gpus,
    parallelism: inputs.parallelism,
  };
  if (inputs.priceUsdPerGpuHour !== null) base.priceUsdPerGpuHour = inputs.priceUsdPerGpuHour;
  return { ...base, ...patch };
}

function tryPlan(req: PlanRequest): PlanResult | null {
  try {
    return plan(req);
  } catch {
    return null;
  }
}

/**
 * Context lengths for the memory-against-context chart: doubling from 1,024 tokens up to twice
 * the plan's context (at least 131,072), but never past the model's own limit, which is drawn
 * as the last point; the plan's own context is always one of the points (even above the limit,
 * so the chart shows where the plan sits). A short limit starts the doubling lower.
 */
export function sweepPoints(contextTokens: number, modelLimitTokens: number | null): number[] {
  const wanted = Math.max(SWEEP_MIN_TOP_TOKENS, contextTokens * 2);
  const top = modelLimitTokens === null ? wanted : Math.min(wanted, modelLimitTokens);
  let start = SWEEP_START_TOKENS;
  while (start > 1 && start * 2 ** SWEEP_MIN_DOUBLINGS > top) start /= 2;

  const points = new Set<number>();
  for (let tokens = start; tokens <= top; tokens *= 2) points.add(tokens);
  points.add(top);
  points.add(contextTokens);
  return [...points].sort((a, b) => a - b);
}

/** Memory on the busiest device against context, on the plan's own device and layout. */
export function contextSweep(spec: ModelSpec, inputs: PlanInputs): ContextSweepData {
  const modelLimitTokens = spec.maxPositionTokens;
  const contextTokens = sweepPoints(inputs.contextTokens, modelLimitTokens);
  const devices = [inputs.device];
  const perDeviceBytes = contextTokens.map(
    (tokens) =>
      tryPlan(planRequest(spec, inputs, { contextTokens: tokens, devices }))?.memory
        .perDeviceBytes ?? null,
  );
  const limit = modelLimitTokens === null ? {} : { modelLimitTokens };
  return { contextTokens, perDeviceBytes, ...limit };
}

function engineLoads(engine: EngineName, scheme: string, spec: ModelSpec): boolean {
  try {
    checkEngineLoads(engine, parseWeightScheme(scheme), spec);
    return true;
  } catch {
    return false;
  }
}

/**
 * The schemes the table compares: the plan's own first, then the engine's usual ones that it
 * can load for this model.
 */
export function comparedSchemes(spec: ModelSpec, inputs: PlanInputs): string[] {
  const others = COMPARED_SCHEMES[inputs.engine].filter(
    (scheme) =>
      scheme !== inputs.weights &&
      WEIGHT_SCHEME_NAMES.includes(scheme) &&
      engineLoads(inputs.engine, scheme, spec),
  );
  return [inputs.weights, ...others];
}

/** The largest context that fits per device type (rows) and compared weight scheme (columns). */
export function maxContextTable(
  spec: ModelSpec,
  inputs: PlanInputs,
  result: PlanResult,
): MaxContextTable {
  const schemes = comparedSchemes(spec, inputs);
  const plans = schemes.map((weights) => tryPlan(planRequest(spec, inputs, { weights })));
  const rows = result.fit.map((fit, row) => ({
    deviceId: fit.device,
    label: fit.name,
    entries: plans.map((planned): MaxContextEntry => {
      if (!planned) return { tokens: null, reason: 'unsupported' };
      const limit = planned.fit[row]?.maxContext ?? null;
      return limit ? { ...limit } : { tokens: null, reason: 'does_not_fit' };
    }),
  }));
  return { schemes, rows };
}
