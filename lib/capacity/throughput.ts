// Speed of a model on devices: decode bounded by bytes read per token, prefill by FLOPs.
//
// Decode reads every active weight once per step (for MoE, the union of the experts the batch
// routes to) and each sequence's KV cache at its current context, so one step takes bytes /
// bandwidth plus a fixed per-token cost (kernel launches, synchronisation, sampling) that
// does not shrink with bandwidth. cluster.md §4.2 shows why a
// fixed term and not a single efficiency multiplier: measured / bound falls from ~0.9 on a
// 100 GB/s M2 to ~0.26 on an A100 for the same file, and bigger files sit closer to the bound.

import type { DecodeMeasurement, PrefillMeasurement } from './devices/measurements.ts';
import { DECODE_MEASUREMENTS, PREFILL_MEASUREMENTS } from './devices/measurements.ts';
import type { DeviceKind } from './devices/types.ts';
import { CapacityError } from './errors.ts';

const BYTES_PER_GB = 1e9;
const FLOPS_PER_TFLOP = 1e12;

/**
 * All-reduces per layer under Megatron-style tensor parallelism: one after the attention
 * output projection, one after the MLP down projection (Shoeybi et al. 2019, §3).
 */
const ALL_REDUCES_PER_LAYER = 2;

function outOfRange(field: string, expected: string, value: number): never {
  throw new CapacityError('out_of_range', `${field} must be ${expected}, got ${String(value)}`, {
    field,
    expected,
  });
}

function checkNonNegative(value: number, field: string): void {
  if (!(value >= 0 && value < Infinity)) outOfRange(field, 'a finite number >= 0', value);
}

function checkPositive(value: number, field: string): void {
  if (!(value > 0 && value < Infinity)) outOfRange(field, 'a finite number > 0', value);
}

function checkPositiveInt(value: number, field: string): void {
  if (!(Number.isInteger(value) && value > 0)) outOfRange(field, 'a positive integer', value);
}

function checkShare(value: number, field: string): void {
  if (!(value > 0 && value <= 1)) outOfRange(field, 'a share in (0, 1]', value);
}

/** Turns a step time into a rate, refusing the zero and infinite rates bad input could make. */
function rate(units: number, seconds: number, field: string): number {
  const perSecond = units / seconds;
  if (!(perSecond > 0 && perSecond < Infinity)) {
    outOfRange(field, 'inputs giving a finite, positive step time', seconds);
  }
  return perSecond;
}

/**
 * Single-stream decode speed in tokens/s:
 * `1 / ((activeWeightBytesPerToken + kvBytesReadPerToken) / (bandwidthGBs x 10^9) +
 * perTokenOverheadSeconds)` (cluster.md §4.2). Weight bytes are those read per token (the
 * whole file for a dense model, shared plus active experts for MoE); KV bytes are the cache
 * read at the current context. Allocation-free: safe to call millions of times a second.
 */
export function decodeTokensPerSecond(
  activeWeightBytesPerToken: number,
  kvBytesReadPerToken: number,
  bandwidthGBs: number,
  perTokenOverheadSeconds: number,
): number {
  checkNonNegative(activeWeightBytesPerToken, 'activeWeightBytesPerToken');
  checkNonNegative(kvBytesReadPerToken, 'kvBytesReadPerToken');
  checkPositive(bandwidthGBs, 'bandwidthGBs');
  checkNonNegative(perTokenOverheadSeconds, 'perTokenOverheadSeconds');

  const bytes = activeWeightBytesPerToken + kvBytesReadPerToken;
  const seconds = bytes / (bandwidthGBs * BYTES_PER_GB) + perTokenOverheadSeconds;
  return rate(1, seconds, 'activeWeightBytesPerToken');
}

/**
 * Experts a layer is expected to read in one decode step of `tokens` sequences, each routed to
 * `perToken` of `experts` experts: `E x (1 - (1 - k / E)^B)`, the standard estimate under
 * uniform, independent routing (an expert is missed by one token with probability 1 - k/E, so
 * by all B with (1 - k/E)^B). Real routers are skewed, which lowers the union somewhat; the
 * estimate is exact at B = 1 (k experts) and tends to E as B grows.
 */
export function expectedDistinctExperts(experts: number, perToken: number, tokens: number) {
  checkPositiveInt(experts, 'experts');
  if (!(Number.isInteger(perToken) && perToken >= 0 && perToken <= experts)) {
    outOfRange('perToken', `an integer from 0 to ${String(experts)}`, perToken);
  }
  checkPositiveInt(tokens, 'tokens');

  if (tokens === 1 || perToken === 0 || perToken === experts) return perToken;
  return experts * (1 - (1 - perToken / experts) ** tokens);
}

/** Routed-expert tensors that share one expert count and top-k, with the bytes of one expert. */
export interface RoutedExpertReads {
  experts: number;
  perToken: number;
  /** Bytes of one expert's copy summed over every tensor of the group (all layers). */
  bytesPerExpert: number;
}

/** What a decode step reads of the weights, as a function of the batch. */
export interface WeightReads {
  /** Bytes read for one token: dense tensors, shared experts and the top-k routed experts. */
  bytesPerToken: number;
  /** Routed experts, whose reads grow with the batch; empty for a dense model. */
  routed: readonly RoutedExpertReads[];
}

/**
 * Weight bytes one decode step of `tokens` sequences reads: the single-token bytes, plus for
 * each routed-expert group the experts the batch adds beyond the top-k,
 * `bytesPerExpert x (expectedDistinctExperts(E, k, B) - k)`. Dense tensors and shared experts
 * are read once for the whole batch. Equal to `bytesPerToken` at B = 1.
 */
export function weightBytesPerStep(reads: WeightReads, tokens: number): number {
  checkNonNegative(reads.bytesPerToken, 'bytesPerToken');
  let bytes = reads.bytesPerToken;
  for (const group of reads.routed) {
    checkNonNegative(group.bytesPerExpert, 'bytesPerExpert');
    const extra = expectedDistinctExperts(group.experts, group.perToken, tokens) - group.perToken;
    bytes += group.bytesPerExpert * extra;
  }
  return bytes;
}

/** A compute ceiling for a decode step: FLOPs per token at a share of the device's peak. */
export interface ComputeLimit {
  /** FLOPs per generated token (about 2 x active parameters). */
  flopsPerToken: number;
  /** Dense FP16 peak of one device, TFLOPS. */
  peakTflops: number;
  /** Share of the peak reached, in (0, 1] (see `prefillEfficiency`). */
  efficiency: number;
}

/** One decode step of a batch on one device (or on each device of a tensor-parallel group). */
export interface BatchedDecodeInput {
  /** Weight bytes read per step; shared by every sequence of the batch. */
  activeWeightBytesPerToken: number;
  /** KV bytes each sequence reads per step at its current context. */
  kvBytesReadPerToken: number;
  /** Sequences decoded together; each gets one token per step. */
  batchSequences: number;
  bandwidthGBs: number;
  perTokenOverheadSeconds: number;
  /** Compute ceiling, or null to treat the step as memory-bound whatever the batch. */
  compute: ComputeLimit | null;
}

/** Time of one decode step and the rates it gives. */
export interface DecodeEstimate {
  /** Seconds for every sequence of the batch to gain one token. */
  stepSeconds: number;
  /** Seconds of the step spent reading memory (or computing, when compute-bound). */
  transferSeconds: number;
  overheadSeconds: number;
  /** Seconds spent in GPU-to-GPU communication (tensor-parallel all-reduces, pipeline hops). */
  communicationSeconds: number;
  bound: 'memory' | 'compute';
  tokensPerSecondPerSequence: number;
  tokensPerSecondTotal: number;
}

function checkCompute(compute: ComputeLimit | null): void {
  if (compute === null) return;
  checkPositive(compute.flopsPerToken, 'flopsPerToken');
  checkPositive(compute.peakTflops, 'peakTflops');
  checkShare(compute.efficiency, 'efficiency');
}

function computeSeconds(compute: ComputeLimit | null, tokens: number): number {
  if (compute === null) return 0;
  const flopsPerSecond = compute.peakTflops * FLOPS_PER_TFLOP * compute.efficiency;
  return (compute.flopsPerToken * tokens) / flopsPerSecond;
}

/** The parts of a step before communication: time moving bytes (or computing) and overhead. */
interface StepParts {
  transferSeconds: number;
  bound: 'memory' | 'compute';
  overheadSeconds: number;
}

function stepParts(memorySeconds: number, computeSeconds: number, overhead: number): StepParts {
  const computeBound = computeSeconds > memorySeconds;
  return {
    transferSeconds: computeBound ? computeSeconds : memorySeconds,
    bound: computeBound ? 'compute' : 'memory',
    overheadSeconds: overhead,
  };
}

function estimate(
  parts: StepParts,
  communicationSeconds: number,
  batchSequences: number,
): DecodeEstimate {
  const stepSeconds = parts.transferSeconds + parts.overheadSeconds + communicationSeconds;

  return {
    stepSeconds,
    transferSeconds: parts.transferSeconds,
    overheadSeconds: parts.overheadSeconds,
    communicationSeconds,
    bound: parts.bound,
    tokensPerSecondPerSequence: rate(1, stepSeconds, 'activeWeightBytesPerToken'),
    tokensPerSecondTotal: rate(batchSequences, stepSeconds, 'activeWeightBytesPerToken'),
  };
}

function checkBatch(input: BatchedDecodeInput): void {
  checkNonNegative(input.activeWeightBytesPerToken, 'activeWeightBytesPerToken');
  checkNonNegative(input.kvBytesReadPerToken, 'kvBytesReadPerToken');
  checkPositiveInt(input.batchSequences, 'batchSequences');
  checkPositive(input.bandwidthGBs, 'bandwidthGBs');
  checkNonNegative(input.perTokenOverheadSeconds, 'perTokenOverheadSeconds');
  checkCompute(input.compute);
}

/**
 * Batched decode on one device: a step reads the weights once for the whole batch and each
 * sequence's KV, `(W + B x KV) / bandwidth`, or computes `B x flopsPerToken` at the given
 * efficiency when that takes longer, plus the per-token overhead. Per-sequence speed is
 * 1 / step; total speed is B / step.
 */
export function batchedDecode(input: BatchedDecodeInput): DecodeEstimate {
  checkBatch(input);

  const bytes = input.activeWeightBytesPerToken + input.batchSequences * input.kvBytesReadPerToken;
  const parts = stepParts(
    bytes / (input.bandwidthGBs * BYTES_PER_GB),
    computeSeconds(input.compute, input.batchSequences),
    input.perTokenOverheadSeconds,
  );
  return estimate(parts, 0, input.batchSequences);
}

/** A decode step split over `gpus` devices of one host by tensor parallelism. */
export interface TensorParallelDecodeInput extends BatchedDecodeInput {
  /** GPUs sharing every layer; weights, KV heads and FLOPs divide evenly among them. */
  gpus: number;
  /** Decoder layers; each costs two all-reduces per step. */
  layers: number;
  /** Bytes one sequence contributes to one all-reduce: hidden size x activation bytes. */
  allReduceBytesPerSequence: number;
  /** Link bandwidth of one GPU, both directions together, as `DeviceSpec.interconnect`. */
  interconnectBidirectionalGBs: number;
  /** Fixed cost of one all-reduce (launch and link latency), seconds; measure with nccl-tests. */
  allReduceLatencySeconds: number;
}

/**
 * Tensor-parallel decode over n GPUs: each GPU reads `(W + B x KV) / n` bytes (and does 1/n of
 * the FLOPs), pays the per-token overhead once (the GPUs run in parallel), and then
 * `layers x 2` ring all-reduces, each sending `2 (n - 1) / n x B x allReduceBytesPerSequence`
 * over one direction of its link (half the bidirectional figure) plus a fixed latency.
 * The ring volume is NCCL's all-reduce "bus bandwidth" convention.
 */
export function tensorParallelDecode(input: TensorParallelDecodeInput): DecodeEstimate {
  checkBatch(input);
  checkPositiveInt(input.gpus, 'gpus');
  checkPositiveInt(input.layers, 'layers');
  checkNonNegative(input.allReduceBytesPerSequence, 'allReduceBytesPerSequence');
  checkPositive(input.interconnectBidirectionalGBs, 'interconnectBidirectionalGBs');
  checkNonNegative(input.allReduceLatencySeconds, 'allReduceLatencySeconds');

  const gpus = input.gpus;
  const bytes = input.activeWeightBytesPerToken + input.batchSequences * input.kvBytesReadPerToken;
  const parts = stepParts(
    bytes / gpus / (input.bandwidthGBs * BYTES_PER_GB),
    computeSeconds(input.compute, input.batchSequences) / gpus,
    input.perTokenOverheadSeconds,
  );

  const ringBytes =
    ((2 * (gpus - 1)) / gpus) * input.batchSequences * input.allReduceBytesPerSequence;
  const oneWayBytesPerSecond = (input.interconnectBidirectionalGBs / 2) * BYTES_PER_GB;
  const allReduceSeconds =
    gpus === 1 ? 0 : ringBytes / oneWayBytesPerSecond + input.allReduceLatencySeconds;
  const communicationSeconds = input.layers * ALL_REDUCES_PER_LAYER * allReduceSeconds;

  return estimate(parts, communicationSeconds, input.batchSequences);
}

/** One pipeline stage: the layers one device holds and what it reads for them per step. */
export interface PipelineStage {
  activeWeightBytesPerToken: number;
  kvBytesReadPerToken: number;
  bandwidthGBs: number;
  /** The device class overhead of a whole model on this device (it is shared out by layers). */
  perTokenOverheadSeconds: number;
  /** Decoder layers on this stage. */
  layers: number;
  compute: ComputeLimit | null;
}

/** A decode step through stages on different devices, one after the other. */
export interface PipelineDecodeInput {
  stages: readonly PipelineStage[];
  batchSequences: number;
  /** Bytes of hidden state one sequence sends to the next stage per step. */
  activationBytesPerSequence: number;
  /** Bandwidth of the link between stages, one direction, GB/s. */
  hopGBsPerDirection: number;
  /** Fixed cost of one hop between stages, seconds. */
  hopLatencySeconds: number;
}

function checkStage(stage: PipelineStage): void {
  checkNonNegative(stage.activeWeightBytesPerToken, 'activeWeightBytesPerToken');
  checkNonNegative(stage.kvBytesReadPerToken, 'kvBytesReadPerToken');
  checkPositive(stage.bandwidthGBs, 'bandwidthGBs');
  checkNonNegative(stage.perTokenOverheadSeconds, 'perTokenOverheadSeconds');
  checkPositiveInt(stage.layers, 'layers');
  checkCompute(stage.compute);
}

/**
 * Pipeline-parallel decode (llama.cpp layer split, one micro-batch): the step is the sum of
 * the stages, each `max(memory, compute)` plus its device's per-token overhead times its share
 * of the layers (kernel launches scale with layers), plus `stages - 1` hops of
 * `B x activationBytesPerSequence / link + latency` (cluster.md §4.2: time per token is the
 * sum over devices of bytes / bandwidth, plus hops).
 */
export function pipelineDecode(input: PipelineDecodeInput): DecodeEstimate {
  if (input.stages.length === 0) outOfRange('stages', 'at least one stage', 0);
  input.stages.forEach(checkStage);
  checkPositiveInt(input.batchSequences, 'batchSequences');
  checkNonNegative(input.activationBytesPerSequence, 'activationBytesPerSequence');
  checkPositive(input.hopGBsPerDirection, 'hopGBsPerDirection');
  checkNonNegative(input.hopLatencySeconds, 'hopLatencySeconds');

  const batch = input.batchSequences;
  const totalLayers = input.stages.reduce((sum, stage) => sum + stage.layers, 0);
  const stages = input.stages.map((stage) => {
    const bytes = stage.activeWeightBytesPerToken + batch * stage.kvBytesReadPerToken;
    const overhead = (stage.perTokenOverheadSeconds * stage.layers) / totalLayers;
    const memorySeconds = bytes / (stage.bandwidthGBs * BYTES_PER_GB);
    return stepParts(memorySeconds, computeSeconds(stage.compute, batch), overhead);
  });
  const computeBoundSeconds = stages
    .filter((stage) => stage.bound === 'compute')
    .reduce((sum, stage) => sum + stage.transferSeconds, 0);
  const transferSeconds = stages.reduce((sum, stage) => sum + stage.transferSeconds, 0);
  const parts: StepParts = {
    transferSeconds,
    bound: computeBoundSeconds * 2 > transferSeconds ? 'compute' : 'memory',
    overheadSeconds: stages.reduce((sum, stage) => sum + stage.overheadSeconds, 0),
  };

  const hopSeconds =
    (batch * input.activationBytesPerSequence) / (input.hopGBsPerDirection * BYTES_PER_GB) +
    input.hopLatencySeconds;
  const communicationSeconds = (input.stages.length - 1) * hopSeconds;

  return estimate(parts, communicationSeconds, batch);
}

/** A prompt processed on one device. */
export interface PrefillInput {
  /** Parameters multiplied per token (2 FLOP each): all of a dense model, active for MoE. */
  activeParams: number;
  /** Sum over full-attention layers of query heads x head dimension (elements). */
  attentionWidth: number;
  promptTokens: number;
  /** Dense FP16 peak of the device, TFLOPS. */
  peakTflops: number;
  /** Share of the peak reached, in (0, 1] (see `prefillEfficiency`). */
  efficiency: number;
}

/** Prefill work and speed. */
export interface PrefillEstimate {
  flopsPerToken: number;
  tokensPerSecond: number;
  seconds: number;
}

/**
 * FLOPs per prompt token: `2 x activeParams` for the matrix products plus attention
 * `2 x attentionWidth x promptTokens` (QK^T and AV each cost 2 x width FLOPs per earlier
 * position; a causal prompt averages promptTokens / 2 positions; Kaplan et al. 2020 Table 1).
 */
export function prefillFlopsPerToken(
  activeParams: number,
  attentionWidth: number,
  promptTokens: number,
): number {
  checkPositive(activeParams, 'activeParams');
  checkNonNegative(attentionWidth, 'attentionWidth');
  checkPositiveInt(promptTokens, 'promptTokens');

  return 2 * activeParams + 2 * attentionWidth * promptTokens;
}

/**
 * Prefill speed bounded by FLOPs: tokens/s = peakTflops x 10^12 x efficiency / flopsPerToken;
 * seconds = promptTokens / that. Efficiency comes from measured rows (`prefillEfficiency`).
 */
export function prefill(input: PrefillInput): PrefillEstimate {
  const flopsPerToken = prefillFlopsPerToken(
    input.activeParams,
    input.attentionWidth,
    input.promptTokens,
  );
  checkPositive(input.peakTflops, 'peakTflops');
  checkShare(input.efficiency, 'efficiency');

  const flopsPerSecond = input.peakTflops * FLOPS_PER_TFLOP * input.efficiency;
  const tokensPerSecond = rate(flopsPerSecond, flopsPerToken, 'activeParams');
  return { flopsPerToken, tokensPerSecond, seconds: input.promptTokens / tokensPerSecond };
}

/**
 * Per-token overhead, seconds, that best fits measured decode rows: the weighted least-squares
 * constant `c = sum(w (t - b)) / sum(w)` with t = 1 / measured tokens/s, b = bytes / bandwidth
 * and w = 1 / t^2, which minimises the squared relative error of the predicted step time.
 */
export function fitPerTokenOverheadSeconds(rows: readonly DecodeMeasurement[]): number {
  let weighted = 0;
  let weights = 0;
  for (const row of rows) {
    const measuredSeconds = 1 / row.measuredTokensPerSecond;
    const bytes = row.weightBytesPerToken + row.kvBytesPerToken;
    const boundSeconds = bytes / (row.bandwidthGBs * BYTES_PER_GB);
    const weight = 1 / (measuredSeconds * measuredSeconds);
    weighted += weight * (measuredSeconds - boundSeconds);
    weights += weight;
  }
  return weighted / weights;
}

/** Mean share of peak FLOPs that measured prefill rows reached. */
export function fitPrefillEfficiency(rows: readonly PrefillMeasurement[]): number {
  const shares = rows.map(
    (row) => (row.measuredTokensPerSecond * row.flopsPerToken) / (row.peakTflops * FLOPS_PER_TFLOP),
  );
  return shares.reduce((sum, share) => sum + share, 0) / shares.length;
}

/** A constant fitted per device class, with the number of measured rows behind it. */
export interface ClassFit {
  /** The fitted value, or null where no measured row exists for the class. */
  value: number | null;
  rows: number;
  source: string;
}

const KINDS: readonly DeviceKind[] = ['discrete-gpu', 'datacenter-gpu', 'unified-memory', 'cpu'];

const FIT_NOTES: Record<DeviceKind, string> = {
  'discrete-gpu':
    'llama.cpp CUDA on GeForce and workstation cards (XiongjieDai); AMD cards borrow it',
  'datacenter-gpu': 'llama.cpp CUDA on A100 80GB and H100 PCIe (XiongjieDai); AMD parts borrow it',
  'unified-memory': 'llama.cpp Metal on Apple Silicon (discussion #4167)',
  cpu: 'no measured CPU rows in cluster.md §4.2; see CPU_DECODE_BANDWIDTH_SHARE',
};

function fitByKind<Row extends { kind: DeviceKind }>(
  rows: readonly Row[],
  fit: (subset: readonly Row[]) => number,
): Readonly<Record<DeviceKind, ClassFit>> {
  const entries = KINDS.map((kind) => {
    const subset = rows.filter((row) => row.kind === kind);
    const value = subset.length === 0 ? null : fit(subset);
    return [kind, { value, rows: subset.length, source: FIT_NOTES[kind] }] as const;
  });
  return Object.freeze(Object.fromEntries(entries) as Record<DeviceKind, ClassFit>);
}

/**
 * Fixed per-token decode overhead per device class, seconds, fitted to every row of
 * cluster.md §4.2 (`DECODE_MEASUREMENTS`): unified-memory 31 rows (M1 .. M2 Ultra) -> 6.40 ms;
 * discrete-gpu 14 rows (RTX 3070/3090/4080/4090, A6000, 6000 Ada) -> 3.28 ms; datacenter-gpu
 * 4 rows (A100 80GB, H100 PCIe) -> 5.57 ms; cpu: no rows (null). Every fitted row is then
 * within 15 % of its measurement; one efficiency multiplier per class misses by up to 60 %.
 */
export const DECODE_OVERHEAD_FITS = fitByKind(DECODE_MEASUREMENTS, fitPerTokenOverheadSeconds);

/**
 * Share of peak FP16 FLOPs llama.cpp reaches in F16 prompt processing, per device class
 * (`PREFILL_MEASUREMENTS`, pp512): unified-memory 0.71 (M2 Ultra 60c and 76c); discrete-gpu
 * 0.297 (RTX 3090, 4080, 4090, A6000, 6000 Ada at their FP16-accumulate peaks); datacenter-gpu
 * 0.178 (A100 80GB 0.223, H100 PCIe 0.133); cpu: no rows (null). All CUDA rows come from one
 * table (Llama-2 7B F16, Dec 2023 build), so the classes differ by hardware, not by build: an
 * A100 (312 TFLOPS) then prefills 1.3x an RTX 3090 (142), as measured 1.66x, and never less.
 * Engines with tuned GEMMs (vLLM, TensorRT-LLM) reach more of the peak.
 */
export const PREFILL_EFFICIENCY_FITS = fitByKind(PREFILL_MEASUREMENTS, fitPrefillEfficiency);

/** The fitted per-token decode overhead of a device class, seconds; null where unmeasured. */
export function perTokenOverheadSeconds(kind: DeviceKind): number | null {
  return DECODE_OVERHEAD_FITS[kind].value;
}

/** The fitted prefill share of peak FLOPs of a device class; null where unmeasured. */
export function prefillEfficiency(kind: DeviceKind): number | null {
  return PREFILL_EFFICIENCY_FITS[kind].value;
}

/**
 * Share of a CPU host's peak DRAM bandwidth that decode reaches: 0.7, a stated estimate, not a
 * fit. cluster.md §4.2 has no CPU rows; public llama.cpp reports put dual-channel desktops at
 * about 60-78 % of the DRAM peak (llama.cpp PR #1642: the M1's CPU cores read >= 53.3 of
 * 68.2 GB/s, 0.78) and many-core NUMA servers lower. Threads stall on DRAM latency and cores
 * compete for the memory controller, so a CPU never streams at the datasheet rate.
 */
export const CPU_DECODE_BANDWIDTH_SHARE = 0.7;

/** The decode constants a plan uses for a device class, and whether they are measured. */
export interface DecodeConstants {
  /** Fixed per-token overhead, seconds (`DECODE_OVERHEAD_FITS`; 0 on CPU hosts). */
  overheadSeconds: number;
  /** Share of the peak bandwidth a step streams at (1 on GPUs, whose overhead is fitted). */
  bandwidthShare: number;
  /** True where measured rows stand behind the constants. */
  measured: boolean;
}

/**
 * Decode constants of a device class: the fitted overhead at full bandwidth where rows exist;
 * for CPU hosts no GPU-style launch overhead but `CPU_DECODE_BANDWIDTH_SHARE` of the peak;
 * any other unmeasured class borrows the discrete-GPU fit.
 */
export function decodeConstants(kind: DeviceKind): DecodeConstants {
  const fitted = perTokenOverheadSeconds(kind);
  if (fitted !== null) return { overheadSeconds: fitted, bandwidthShare: 1, measured: true };
  if (kind === 'cpu') {
    return { overheadSeconds: 0, bandwidthShare: CPU_DECODE_BANDWIDTH_SHARE, measured: false };
  }
  const borrowed = perTokenOverheadSeconds('discrete-gpu') ?? 0;
  return { overheadSeconds: borrowed, bandwidthShare: 1, measured: false };
}
