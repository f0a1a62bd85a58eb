// `hwledger plan`: resolves the model and devices, runs the planner, prints text or JSON.

import { CapacityError } from '../lib/capacity/errors.ts';
import { engineDefaults } from '../lib/capacity/profiles/registry.ts';
import type { EngineSettings } from '../lib/capacity/profiles/types.ts';
import { plan } from '../lib/capacity/plan.ts';
import type { PlanRequest, PlanResult } from '../lib/capacity/plan.ts';
import type { EngineName } from '../lib/capacity/profiles/types.ts';
import { formatBytes, formatCount, formatParams } from '../lib/format/bytes.ts';
import { CliError, table } from './output.ts';
import type { Output } from './output.ts';
import { resolveModel } from './resolve-model.ts';

/** Options of `hwledger plan` as commander parses them. */
export interface PlanOptions {
  model: string;
  weights?: string;
  kv: string;
  context?: number;
  batch: number;
  engine?: EngineName;
  engineVersion?: string;
  flashAttn?: 'on' | 'off';
  ubatch?: number;
  gpuUtil?: number;
  maxSeqs?: number;
  maxNumBatchedTokens?: number;
  fitTarget?: number;
  device?: string[];
  gpus: number;
  parallel: 'tensor' | 'pipeline';
  price?: number;
  hub: string;
  json?: boolean;
}

/** Parses a token count such as `8192`, `32k` or `1m` (k = 1024, m = 1024^2, as engines do). */
export function parseTokens(text: string): number {
  const match = /^(\d{1,9})([km]?)$/i.exec(text.trim());
  const unit = match?.[2]?.toLowerCase();
  const value = match
    ? Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : 1)
    : NaN;
  if (!Number.isInteger(value) || value < 1) {
    throw new CliError(
      `--context must be a positive token count such as 8192 or 32k, got "${text}"`,
    );
  }
  return value;
}

function deviceIds(options: PlanOptions): string[] | undefined {
  if (!options.device) return undefined;
  return options.device
    .flatMap((entry) => entry.split(','))
    .map((id) => id.trim())
    .filter(Boolean);
}

/** Engine options and the flags that set them. */
const ENGINE_FLAGS = {
  engineVersion: '--engine-version',
  flashAttn: '--flash-attn',
  ubatch: '--ubatch',
  gpuUtil: '--gpu-util',
  maxSeqs: '--max-seqs',
  fitTarget: '--fit-target',
  maxNumBatchedTokens: '--max-num-batched-tokens',
} as const;

type EngineOption = keyof typeof ENGINE_FLAGS;

/** Refuses the options among `keys` that were given, naming only those flags. */
function refuseFlags(options: PlanOptions, engine: EngineName, keys: readonly EngineOption[]) {
  const given = keys.filter((key) => options[key] !== undefined).map((key) => ENGINE_FLAGS[key]);
  if (given.length === 0) return;
  const verb = given.length === 1 ? 'does' : 'do';
  throw new CliError(`${given.join(' and ')} ${verb} not apply to --engine ${engine}`);
}

/**
 * Engine settings from the engine options, or undefined to let the planner choose the engine.
 * Options that do not apply to the chosen engine are errors, not silently dropped.
 */
export function engineSettings(options: PlanOptions): EngineSettings | undefined {
  const tuned =
    options.engineVersion !== undefined ||
    options.flashAttn !== undefined ||
    options.ubatch !== undefined ||
    options.gpuUtil !== undefined ||
    options.maxSeqs !== undefined ||
    options.maxNumBatchedTokens !== undefined ||
    options.fitTarget !== undefined;
  if (!options.engine) {
    if (tuned) throw new CliError('engine options need --engine to say which engine they tune');
    return undefined;
  }
  const settings = engineDefaults(options.engine);
  if (settings.engine !== 'vllm') {
    refuseFlags(options, settings.engine, ['maxNumBatchedTokens']);
  }
  switch (settings.engine) {
    case 'llama.cpp': {
      refuseFlags(options, settings.engine, ['gpuUtil', 'maxSeqs']);
      if (options.fitTarget !== undefined) settings.fitTargetBytes = options.fitTarget * 2 ** 20;
      if (options.engineVersion !== undefined) {
        const build = Number(options.engineVersion.replace(/^b/, ''));
        if (!Number.isInteger(build) || build < 1) {
          throw new CliError(
            `--engine-version for llama.cpp is a build number such as 6500, got "${options.engineVersion}"`,
          );
        }
        settings.build = build;
      }
      if (options.flashAttn) settings.flashAttention = options.flashAttn === 'on';
      if (options.ubatch !== undefined) settings.ubatchTokens = options.ubatch;
      return settings;
    }
    case 'vllm': {
      refuseFlags(options, settings.engine, ['flashAttn', 'ubatch', 'fitTarget']);
      if (options.maxSeqs !== undefined) settings.maxNumSeqs = options.maxSeqs;
      if (options.maxNumBatchedTokens !== undefined) {
        settings.maxNumBatchedTokens = options.maxNumBatchedTokens;
      }
      if (options.engineVersion !== undefined) {
        if (!/^\d+\.\d+(\.\d+)?$/.test(options.engineVersion)) {
          throw new CliError(
            `--engine-version for vLLM is a version such as 0.11, got "${options.engineVersion}"`,
          );
        }
        settings.version = options.engineVersion;
      }
      if (options.gpuUtil !== undefined) settings.gpuMemoryUtilization = options.gpuUtil;
      return settings;
    }
    case 'ollama': {
      refuseFlags(options, settings.engine, ['ubatch', 'gpuUtil', 'maxSeqs', 'fitTarget']);
      if (options.engineVersion !== undefined) {
        if (!/^\d+\.\d+(\.\d+)?$/.test(options.engineVersion)) {
          throw new CliError(
            `--engine-version for Ollama is a version such as 0.13, got "${options.engineVersion}"`,
          );
        }
        settings.version = options.engineVersion;
      }
      if (options.flashAttn) settings.flashAttention = options.flashAttn === 'on';
      return settings;
    }
    case 'transformers.js':
      refuseFlags(options, settings.engine, Object.keys(ENGINE_FLAGS) as EngineOption[]);
      return settings;
  }
}

/** Runs one plan and prints it. */
export async function runPlan(options: PlanOptions, output: Output): Promise<void> {
  const token = process.env.HF_TOKEN;
  const model = await resolveModel(options.model, {
    hubBaseUrl: options.hub,
    ...(token ? { token } : {}),
  });
  const devices = deviceIds(options);
  const engine = engineSettings(options);
  const result = planWithHints(options, {
    model,
    kv: options.kv,
    batch: options.batch,
    gpus: options.gpus,
    parallelism: options.parallel,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    ...(options.context === undefined ? {} : { contextTokens: options.context }),
    ...(engine === undefined ? {} : { engine }),
    ...(devices === undefined ? {} : { devices }),
    ...(options.price === undefined ? {} : { priceUsdPerGpuHour: options.price }),
  });
  output.out(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${describePlan(result)}\n`);
}

/**
 * Runs the planner, pointing `--weights mxfp4` under llama.cpp or Ollama to the GGUF type that
 * holds MXFP4 experts (MXFP4_MOE), since llama.cpp names its file types, not the checkpoint's.
 */
function planWithHints(options: PlanOptions, request: PlanRequest): PlanResult {
  try {
    return plan(request);
  } catch (error) {
    const ggml = error instanceof CapacityError && /^(llama\.cpp|ollama) /.test(error.message);
    if (ggml && error.field === 'weights' && /^mxfp4$/i.test(options.weights ?? '')) {
      throw new CliError(
        `${error.message}: llama.cpp's GGUF type for MXFP4 experts is MXFP4_MOE ` +
          '(experts in MXFP4, other tensors Q8_0); use --weights MXFP4_MOE',
      );
    }
    throw error;
  }
}

function contextText(limit: PlanResult['fit'][number]['maxContext']): string {
  if (!limit) return 'none';
  const tokens = formatCount(limit.tokens);
  return limit.limitedBy === 'search_limit' ? `>=${tokens}` : tokens;
}

function speed(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/**
 * How the engine itself names the split: llama.cpp and Ollama place whole layers per GPU and
 * call tensor parallelism the row split (`-sm row`) and pipelines the layer split (`-sm layer`).
 */
function splitName(result: PlanResult): string {
  const { engine, parallelism } = result.settings;
  const name = parallelism === 'tensor' ? 'row' : 'layer';
  if (engine.engine === 'llama.cpp') return `${name} split, -sm ${name}`;
  if (engine.engine === 'ollama') return `${name} split`;
  return `${parallelism} parallel`;
}

/** The readable breakdown `hwledger plan` prints without `--json`. */
export function describePlan(result: PlanResult): string {
  const { settings, params, kv, memory } = result;
  const engine = settings.engine;
  const lines: string[] = [];
  lines.push(
    `${result.model.name} (${result.model.modelType}): ${settings.weights} weights, ` +
      `${settings.kv} KV, ${formatCount(settings.contextTokens)} tokens x ${settings.batch} ` +
      `sequence${settings.batch === 1 ? '' : 's'}, ${engine.engine}` +
      (settings.gpus > 1 ? `, ${settings.gpus} GPUs (${splitName(result)})` : ''),
  );
  lines.push('');
  lines.push(
    `Parameters  ${formatParams(params.total)} total, ${formatParams(params.active)} active per ` +
      `token (${formatParams(params.activeExcludingEmbeddings)} without the input embedding)` +
      (params.mtp > 0 ? `, ${formatParams(params.mtp)} MTP not loaded` : ''),
  );
  lines.push(
    `KV cache    ${formatCount(kv.bytesPerToken)} B per token` +
      (kv.bytesPerTokenBeyondWindows !== kv.bytesPerToken
        ? ` (${formatCount(kv.bytesPerTokenBeyondWindows)} B past the sliding windows)`
        : '') +
      (kv.fixedBytesPerSequence > 0
        ? `, plus ${formatBytes(kv.fixedBytesPerSequence)} fixed state per sequence`
        : ''),
  );
  lines.push('');
  lines.push(settings.gpus > 1 ? 'Memory on the busiest device' : 'Memory');
  const partRows = memory.parts
    .filter((part) => part.bytes > 0)
    .map((part) => [
      `  ${part.name}${part.onDevice ? '' : ' (host)'}`,
      formatBytes(part.bytes),
      part.provenance,
      part.source,
    ]);
  partRows.push(['  total on device', formatBytes(memory.perDeviceBytes), '', '']);
  lines.push(table(partRows, [false, true, false, false]));
  lines.push('');
  lines.push(fitTable(result));
  for (const warning of result.warnings) lines.push(`note: ${warning.message}`);
  return lines.join('\n');
}

/**
 * The per-device table. Decode is per sequence, with the total of all sequences beside it when
 * the batch holds more than one; cost per million counts generated tokens at that total rate
 * (prefill time is not counted), as the header says.
 */
function fitTable(result: PlanResult): string {
  const batched = result.settings.batch > 1;
  const priced = result.fit.some((fit) => fit.cost !== null);
  const header = ['device', 'usable', 'budget', 'margin', 'fits', 'max context', 'max seqs'];
  header.push('decode t/s/seq', ...(batched ? ['total t/s'] : []));
  if (priced) header.push('cost (decode only)');
  const rows = [header];
  for (const fit of result.fit) {
    const row = [
      fit.device,
      formatBytes(fit.usableBytesPerDevice),
      formatBytes(fit.budgetBytesPerDevice),
      formatBytes(fit.marginBytes),
      fit.fits ? 'yes' : 'no',
      contextText(fit.maxContext),
      fit.maxConcurrencyLimitedBy === 'max_num_seqs'
        ? `${fit.maxConcurrency} (--max-num-seqs)`
        : String(fit.maxConcurrency),
      fit.fits ? speed(fit.speed.decodeTokensPerSecond) : '-',
    ];
    if (batched) row.push(fit.fits ? speed(fit.speed.decodeTokensPerSecondTotal) : '-');
    if (fit.cost) {
      const perMillion = fit.fits ? fit.cost.perMillionTokensUsd : null;
      row.push(
        `$${fit.cost.perHourUsd.toFixed(2)}/h` +
          (perMillion === null ? '' : `, $${perMillion.toFixed(2)}/M generated tokens`),
      );
    }
    rows.push(row);
  }
  const textColumns = new Set(['device', 'fits', 'cost (decode only)']);
  return table(
    rows,
    header.map((name) => !textColumns.has(name)),
  );
}
