// Measures what llama.cpp really allocates for a GGUF, in a child process (llama.cpp can abort).
//
// The parent never loads llama.cpp: it starts this same file as a child (`node --import tsx`),
// sends one JSON job on stdin and reads one JSON result from stdout, so a malformed file that
// aborts inside llama.cpp (exit 134) fails one call instead of the test runner. The child uses
// node-llama-cpp on the CPU (`gpu: false`, `build: 'never'`, one thread) and reads:
// - `model.size`: the sum of tensor bytes, exact;
// - `context.memoryUsage.ram`: KV cache + recurrent state + compute buffer, exact;
// - llama.cpp's log lines: the settings it resolved, cells per cache, and every buffer in MiB
//   with two decimals; the compute buffer again with four decimals when the context is freed.
// KV + recurrent bytes are derived exactly as memoryUsage minus that four-decimal compute size
// (off by at most 53 bytes) rounded to a multiple of 256: every cache holds a multiple of 256
// cells, and the recurrent test models are shaped so that their state is too.
//
// `mode: 'estimate'` runs node-llama-cpp's V2 estimators instead, which build the same
// llama.cpp objects without allocating; they accept header-only GGUF files at real size.

import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** KV cache types llama.cpp accepts (`--cache-type-k/v`). */
export type CacheType =
  'f32' | 'f16' | 'bf16' | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'iq4_nl';

/** One context to create (or estimate) on a loaded model. */
export interface ContextRequest {
  /** Tokens per sequence (node-llama-cpp's `contextSize`). */
  contextTokens: number;
  sequences?: number;
  kvTypeK?: CacheType;
  kvTypeV?: CacheType;
  flashAttention?: boolean | 'auto';
  /** node-llama-cpp's `batchSize`, which it passes to llama.cpp as both n_batch and n_ubatch. */
  batchTokens?: number;
  swaFull?: boolean;
}

/** A measuring job: one model file and the contexts to measure on it, in order. */
export interface MeasureJob {
  modelPath: string;
  mode: 'allocate' | 'estimate';
  contexts: ContextRequest[];
}

/** Settings llama.cpp resolved for a context, read from its log. */
export interface ResolvedSettings {
  nSeqMax: number;
  nCtx: number;
  nCtxSeq: number;
  nBatch: number;
  nUbatch: number;
  kvUnified: boolean;
  flashAttention: boolean;
}

/** One cache llama.cpp logged: a KV cache (full or sliding) or a recurrent-state store. */
export type LoggedCache =
  | {
      kind: 'kv';
      cells: number;
      layers: number;
      streams: number;
      typeK: string;
      typeV: string;
      kMiB: number;
      vMiB: number;
    }
  | { kind: 'recurrent'; cells: number; layers: number; mib: number };

/** What llama.cpp allocated for one context. Byte counts are exact unless named MiB. */
export interface ContextMeasurement {
  request: ContextRequest;
  /** KV + recurrent state + compute buffer (`memoryUsage` of the context). */
  contextBytes: number;
  /** Only with mode 'allocate'; null for estimates. */
  settings: ResolvedSettings | null;
  caches: LoggedCache[];
  /** KV + recurrent bytes (allocate mode), null when they could not be separated exactly. */
  memoryBytes: number | null;
  /** KV cache bytes: `memoryBytes` when the model keeps no recurrent state, else null. */
  kvBytes: number | null;
  /** Recurrent state bytes: `memoryBytes` when the model keeps no KV cache, else null. */
  recurrentBytes: number | null;
  /** Compute buffer bytes (allocate mode), null when `memoryBytes` is null. */
  computeBytes: number | null;
  kvBufferMiB: number | null;
  recurrentBufferMiB: number | null;
  computeMiB: number | null;
  outputMiB: number | null;
}

/** What one job measured: the model and each context, in request order. */
export interface MeasureResult {
  mode: MeasureJob['mode'];
  /** `model.size`, or the V2 model estimate in 'estimate' mode (no mmap). */
  modelBytes: number;
  modelBufferMiB: number | null;
  contexts: ContextMeasurement[];
}

const GGML_TYPE_NAMES: Record<CacheType, string> = {
  f32: 'F32',
  f16: 'F16',
  bf16: 'BF16',
  q8_0: 'Q8_0',
  q4_0: 'Q4_0',
  q4_1: 'Q4_1',
  q5_0: 'Q5_0',
  q5_1: 'Q5_1',
  iq4_nl: 'IQ4_NL',
};

const MIB = 1024 * 1024;

function numberAfter(lines: readonly string[], pattern: RegExp): number | null {
  for (const line of lines) {
    const match = pattern.exec(line);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return null;
}

function sumAll(lines: readonly string[], pattern: RegExp): number | null {
  let total: number | null = null;
  for (const line of lines) {
    const match = pattern.exec(line);
    if (match?.[1] !== undefined) total = (total ?? 0) + Number(match[1]);
  }
  return total;
}

/** Parses llama.cpp's context log lines (`llama_context:`, `llama_kv_cache:`, ...). */
export function parseContextLog(lines: readonly string[]): {
  settings: ResolvedSettings | null;
  caches: LoggedCache[];
  kvBufferMiB: number | null;
  recurrentBufferMiB: number | null;
  computeMiB: number | null;
  computeFineMiB: number | null;
  outputMiB: number | null;
} {
  const int = (name: string) =>
    numberAfter(lines, new RegExp(`llama_context: ${name}\\s+= (\\d+)`));
  const nSeqMax = int('n_seq_max');
  const nCtx = int('n_ctx');
  const nCtxSeq = int('n_ctx_seq');
  const nBatch = int('n_batch');
  const nUbatch = int('n_ubatch');
  const faLine = lines.find((line) => /llama_context: flash_attn\s+=/.test(line)) ?? '';
  const faResolved = lines.some((line) => /Flash Attention enabled/.test(line));
  const settings =
    nSeqMax !== null && nCtx !== null && nCtxSeq !== null && nBatch !== null && nUbatch !== null
      ? {
          nSeqMax,
          nCtx,
          nCtxSeq,
          nBatch,
          nUbatch,
          kvUnified: lines.some((line) => /kv_unified\s+= true/.test(line)),
          flashAttention: /= enabled/.test(faLine) || (/= auto/.test(faLine) && faResolved),
        }
      : null;

  const caches: LoggedCache[] = [];
  const kvPattern = new RegExp(
    [
      String.raw`llama_kv_cache: size =\s*[\d.]+ MiB `,
      String.raw`\(\s*(\d+) cells,\s*(\d+) layers,\s*\d+/(\d+) seqs\), `,
      String.raw`K \((\w+)\):\s*([\d.]+) MiB, V \((\w+)\):\s*([\d.]+) MiB`,
    ].join(''),
  );
  const rsPattern =
    /llama_memory_recurrent: size =\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers/;
  for (const line of lines) {
    const kv = kvPattern.exec(line);
    if (kv) {
      caches.push({
        kind: 'kv',
        cells: Number(kv[1]),
        layers: Number(kv[2]),
        streams: Number(kv[3]),
        typeK: kv[4] ?? '',
        kMiB: Number(kv[5]),
        typeV: kv[6] ?? '',
        vMiB: Number(kv[7]),
      });
    }
    const rs = rsPattern.exec(line);
    if (rs)
      caches.push({
        kind: 'recurrent',
        mib: Number(rs[1]),
        cells: Number(rs[2]),
        layers: Number(rs[3]),
      });
  }

  return {
    settings,
    caches,
    kvBufferMiB: sumAll(lines, /KV buffer size =\s*([\d.]+) MiB/),
    recurrentBufferMiB: sumAll(lines, /RS buffer size =\s*([\d.]+) MiB/),
    computeMiB: sumAll(lines, /sched_reserve:\s+\S+ compute buffer size =\s*([\d.]+) MiB/),
    computeFineMiB: sumAll(lines, /compute buffer size is\s+([\d.]+) MiB/),
    outputMiB: sumAll(lines, /output buffer size =\s*([\d.]+) MiB/),
  };
}

/**
 * Splits `contextBytes` (memory + compute) exactly, given the compute size with four decimals
 * of MiB: memory is a multiple of 256 bytes within 53 bytes of the difference.
 */
export function splitContextBytes(
  contextBytes: number,
  computeFineMiB: number | null,
): { memoryBytes: number; computeBytes: number } | null {
  if (computeFineMiB === null) return null;
  const approximate = contextBytes - computeFineMiB * MIB;
  const memoryBytes = Math.round(approximate / 256) * 256;
  if (Math.abs(memoryBytes - approximate) > 0.00005 * MIB + 1) return null;
  return { memoryBytes, computeBytes: contextBytes - memoryBytes };
}

/** Lines logged since the last context construction started (skips estimator rehearsals). */
function contextLines(lines: readonly string[]): string[] {
  let start = 0;
  lines.forEach((line, index) => {
    if (line.includes('llama_context: constructing llama_context')) start = index;
  });
  return lines.slice(start);
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

type NodeLlamaCpp = typeof import('node-llama-cpp');
type Llama = Awaited<ReturnType<NodeLlamaCpp['getLlama']>>;

/** A measurement with nothing but the exact context total (what the estimators return). */
function estimateOnly(request: ContextRequest, contextBytes: number): ContextMeasurement {
  return {
    request,
    contextBytes,
    settings: null,
    caches: [],
    memoryBytes: null,
    kvBytes: null,
    recurrentBytes: null,
    computeBytes: null,
    kvBufferMiB: null,
    recurrentBufferMiB: null,
    computeMiB: null,
    outputMiB: null,
  };
}

/** Runs node-llama-cpp's V2 estimators (no allocation) for the model and each context. */
async function estimateJob(
  job: MeasureJob,
  binding: NodeLlamaCpp,
  llama: Llama,
  lines: string[],
): Promise<MeasureResult> {
  const { GgufInsights, readGgufFileInfo, GgmlType } = binding;
  const ggmlType = (type: CacheType | undefined) =>
    GgmlType[GGML_TYPE_NAMES[type ?? 'f16'] as keyof typeof GgmlType];
  const insights = await GgufInsights.from(await readGgufFileInfo(job.modelPath), llama);
  const model = await insights.estimateModelResourceRequirementsV2({
    gpuLayers: 0,
    useMmap: false,
  });

  const contexts: ContextMeasurement[] = [];
  for (const request of job.contexts) {
    lines.length = 0;
    const estimate = await insights.estimateContextResourceRequirementsV2({
      contextSize: request.contextTokens,
      modelGpuLayers: 0,
      sequences: request.sequences ?? 1,
      flashAttention: request.flashAttention ?? 'auto',
      swaFullCache: request.swaFull ?? false,
      kvCacheKeyType: ggmlType(request.kvTypeK),
      kvCacheValueType: ggmlType(request.kvTypeV),
      useMmap: false,
      ...(request.batchTokens === undefined ? {} : { batchSize: request.batchTokens }),
    });
    if (!lines.some((line) => line.includes('Simulating context resource usage'))) {
      throw new Error(`the V2 context estimator fell back to its heuristic: ${lines.join(' | ')}`);
    }
    contexts.push(estimateOnly(request, estimate.cpuRam + estimate.gpuVram));
  }
  const modelBytes = model.cpuRam + model.gpuVram;
  return { mode: 'estimate', modelBytes, modelBufferMiB: null, contexts };
}

/** Reads one freed context's memory and log lines into a measurement. */
function allocatedContext(
  request: ContextRequest,
  contextBytes: number,
  lines: readonly string[],
): ContextMeasurement {
  const parsed = parseContextLog(contextLines(lines));
  const split = splitContextBytes(contextBytes, parsed.computeFineMiB);
  const hasKv = parsed.caches.some((cache) => cache.kind === 'kv');
  const hasRecurrent = parsed.caches.some((cache) => cache.kind === 'recurrent');
  return {
    request,
    contextBytes,
    settings: parsed.settings,
    caches: parsed.caches,
    memoryBytes: split?.memoryBytes ?? null,
    kvBytes: hasRecurrent ? null : (split?.memoryBytes ?? null),
    recurrentBytes: hasKv ? null : (split?.memoryBytes ?? null),
    computeBytes: split?.computeBytes ?? null,
    kvBufferMiB: parsed.kvBufferMiB,
    recurrentBufferMiB: parsed.recurrentBufferMiB,
    computeMiB: parsed.computeMiB,
    outputMiB: parsed.outputMiB,
  };
}

/** Loads the model and creates, measures and frees each context in turn. */
async function allocateJob(job: MeasureJob, llama: Llama, lines: string[]): Promise<MeasureResult> {
  const model = await llama.loadModel({ modelPath: job.modelPath });
  const modelBufferMiB = sumAll(lines, /model buffer size =\s*([\d.]+) MiB/);

  const contexts: ContextMeasurement[] = [];
  for (const request of job.contexts) {
    lines.length = 0;
    const context = await model.createContext({
      contextSize: request.contextTokens,
      sequences: request.sequences ?? 1,
      threads: 1,
      flashAttention: request.flashAttention ?? 'auto',
      swaFullCache: request.swaFull ?? false,
      experimentalKvCacheKeyType: GGML_TYPE_NAMES[request.kvTypeK ?? 'f16'] as 'F16',
      experimentalKvCacheValueType: GGML_TYPE_NAMES[request.kvTypeV ?? 'f16'] as 'F16',
      ...(request.batchTokens === undefined ? {} : { batchSize: request.batchTokens }),
    });
    const contextBytes = context.memoryUsage.ram + context.memoryUsage.vram;
    await context.dispose();
    await sleep(20);
    contexts.push(allocatedContext(request, contextBytes, lines));
  }

  const modelBytes = model.size;
  await model.dispose();
  return { mode: 'allocate', modelBytes, modelBufferMiB, contexts };
}

/** Runs a job inside this process; only the child calls it (llama.cpp may abort). */
async function runJob(job: MeasureJob): Promise<MeasureResult> {
  const binding = await import('node-llama-cpp');
  const lines: string[] = [];
  const llama = await binding.getLlama({
    gpu: false,
    build: 'never',
    logLevel: binding.LlamaLogLevel.debug,
    logger: (_level, message) => {
      lines.push(message);
    },
  });
  return job.mode === 'estimate'
    ? estimateJob(job, binding, llama, lines)
    : allocateJob(job, llama, lines);
}

const THIS_FILE = fileURLToPath(import.meta.url);

/** The repository root, where the child resolves `tsx` and `node-llama-cpp`. */
const REPO_ROOT = resolve(dirname(THIS_FILE), '..', '..', '..');
const CHILD_FLAG = '--llama-measure-child';

/** Options of `measureLlamaCpp`. */
export interface MeasureOptions {
  /** Kill the child after this long, in milliseconds (default 90 s). */
  timeoutMs?: number;
}

/**
 * Loads `job.modelPath` with llama.cpp in a child process and measures each context. Rejects
 * with the child's exit code and last log lines when llama.cpp fails or aborts.
 */
export function measureLlamaCpp(
  job: MeasureJob,
  options: MeasureOptions = {},
): Promise<MeasureResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, CHILD_FLAG], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`llama.cpp measurement timed out after ${options.timeoutMs ?? 90_000} ms`));
    }, options.timeoutMs ?? 90_000);

    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const marker = stdout.lastIndexOf('\n{"result"');
      if (code !== 0 || marker < 0) {
        const tail = stderr.split('\n').slice(-12).join('\n');
        reject(new Error(`llama.cpp child exited with ${code ?? signal}: ${tail}`));
        return;
      }
      resolve((JSON.parse(stdout.slice(marker + 1)) as { result: MeasureResult }).result);
    });
    child.stdin.end(JSON.stringify(job));
  });
}

async function childMain(): Promise<void> {
  let input = '';
  for await (const chunk of process.stdin) input += String(chunk);
  const result = await runJob(JSON.parse(input) as MeasureJob);
  process.stdout.write(`\n${JSON.stringify({ result })}\n`);
  process.exit(0);
}

function isChildEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined || !process.argv.includes(CHILD_FLAG)) return false;
  return realpathSync(entry) === realpathSync(THIS_FILE);
}

if (isChildEntry()) {
  childMain().catch((error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
