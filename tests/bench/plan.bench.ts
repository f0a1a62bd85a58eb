// Plan evaluations per second over every catalogue model x device x weight scheme x context.
//
// One "evaluation" answers one point of a chart: the busiest device's bytes at a context, the
// fit against that device's budget, and the decode speed there. Model-level work (parameter
// counts, weight bytes, engine binding) is prepared once per model x scheme, as the notebook's
// charts do. The baseline is the naive planner most calculators use (weights + KV per token x
// context) over the same points in the same run, so the ratio is comparable across machines.

import { MODEL_CATALOGUE, catalogueSpec } from '../../lib/capacity/catalogue/models.ts';
import { DEVICE_CATALOGUE } from '../../lib/capacity/devices/catalogue.ts';
import { deviceBytesAt, kvReadBytesPerToken, plan, preparePlan } from '../../lib/capacity/plan.ts';
import type { PreparedPlan } from '../../lib/capacity/plan.ts';
import { decodeTokensPerSecond, perTokenOverheadSeconds } from '../../lib/capacity/throughput.ts';
import { machineLine, report } from './report.ts';

const SCHEMES = ['bf16', 'fp8', 'gptq-4bit-g128', 'Q8_0', 'Q4_K_M'] as const;
const CONTEXTS = [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];
const TARGET_PER_SECOND = 1_000_000;
const deviceIds = DEVICE_CATALOGUE.map((device) => device.id);

function preparedPlans(): PreparedPlan[] {
  const plans: PreparedPlan[] = [];
  for (const model of MODEL_CATALOGUE) {
    const spec = catalogueSpec(model.id);
    for (const weights of SCHEMES) {
      const engine = weights.startsWith('Q') ? 'llama.cpp' : 'vllm';
      plans.push(preparePlan({ model: spec, weights, engine, devices: deviceIds }));
    }
  }
  return plans;
}

function sweep(plans: readonly PreparedPlan[]): { evaluations: number; checksum: number } {
  let evaluations = 0;
  let checksum = 0;
  for (const prepared of plans) {
    const activeBytes = prepared.model.weights.activeBytesPerToken;
    for (let d = 0; d < prepared.devices.length; d += 1) {
      const device = prepared.devices[d]!;
      const budget = prepared.budgetBytes[d]!;
      const overhead = perTokenOverheadSeconds(device.kind) ?? 0.003;
      for (const context of CONTEXTS) {
        const bytes = deviceBytesAt(prepared, context, 1);
        const kvRead = kvReadBytesPerToken(prepared, context);
        const speed = decodeTokensPerSecond(activeBytes, kvRead, device.bandwidthGBs, overhead);
        checksum += bytes <= budget ? speed : -speed;
        evaluations += 1;
      }
    }
  }
  return { evaluations, checksum };
}

function naiveSweep(plans: readonly PreparedPlan[]): { evaluations: number; checksum: number } {
  let evaluations = 0;
  let checksum = 0;
  for (const prepared of plans) {
    const weights = prepared.model.params.total * 2;
    const perToken = prepared.modelKv.unboundedRowBytes;
    for (let d = 0; d < prepared.devices.length; d += 1) {
      const device = prepared.devices[d]!;
      for (const context of CONTEXTS) {
        const bytes = weights + perToken * context;
        checksum += bytes <= device.memoryBytes ? device.bandwidthGBs / bytes : 0;
        evaluations += 1;
      }
    }
  }
  return { evaluations, checksum };
}

function timeIt<T>(work: () => T, rounds: number): { value: T; seconds: number } {
  let value = work();
  const start = performance.now();
  for (let round = 0; round < rounds; round += 1) value = work();
  return { value, seconds: (performance.now() - start) / 1000 / rounds };
}

const prepareStart = performance.now();
const plans = preparedPlans();
const prepareSeconds = (performance.now() - prepareStart) / 1000;

const ours = timeIt(() => sweep(plans), 5);
const naive = timeIt(() => naiveSweep(plans), 5);
const oursRate = ours.value.evaluations / ours.seconds;
const naiveRate = naive.value.evaluations / naive.seconds;

const fullPlans = Math.min(plans.length, 400);
const fullStart = performance.now();
for (let index = 0; index < fullPlans; index += 1) {
  const prepared = plans[index]!;
  plan({
    model: prepared.spec,
    weights: prepared.scheme,
    engine: prepared.engineSettings,
    devices: ['h100-sxm'],
  });
}
const fullRate = fullPlans / ((performance.now() - fullStart) / 1000);

report('plan sweep', [
  machineLine(),
  `points: ${MODEL_CATALOGUE.length} models x ${SCHEMES.length} schemes x ${deviceIds.length} ` +
    `devices x ${CONTEXTS.length} contexts = ${ours.value.evaluations.toLocaleString('en-US')}`,
  `model preparation: ${(prepareSeconds * 1000).toFixed(0)} ms for ${plans.length} model x scheme pairs`,
  `evaluations per second: ${Math.round(oursRate).toLocaleString('en-US')} ` +
    `(target ${TARGET_PER_SECOND.toLocaleString('en-US')}: ${oursRate >= TARGET_PER_SECOND ? 'met' : 'NOT met'})`,
  `naive planner baseline (weights + KV per token x context, no engine rules): ` +
    `${Math.round(naiveRate).toLocaleString('en-US')} per second`,
  `ratio hwLedger / naive = ${(oursRate / naiveRate).toFixed(3)} (1.0 would mean the exact ` +
    `engine rules cost nothing extra; higher is faster)`,
  `full plan() with limits, speed and parts: ${Math.round(fullRate).toLocaleString('en-US')} per second`,
]);
