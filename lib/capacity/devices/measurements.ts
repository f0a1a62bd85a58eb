// Published llama.cpp speed measurements that the throughput model's constants are fitted to.
//
// Decode rows are cluster.md §4.2: llama.cpp discussion #4167 (Apple Silicon, Llama-2 7B,
// llama-bench tg128) and XiongjieDai/GPU-Benchmarks-on-LLM-Inference (CUDA, Llama-2 7B Dec
// 2023 and Llama-3 8B Q4_K_M May 2024, tg512). File sizes are llama-bench's GiB: Llama-2 7B
// Q4_0 3.56, Q8_0 6.67, F16 12.55 (= 2 B x 6.74 B params); Llama-3 8B Q4_K_M 4.58 (the
// benchmark README labels these GiB figures "GB"). KV read per token is the f16 cache at the
// run's average context: half the generated tokens (64 for tg128, 256 for tg512; the Llama-2
// CUDA runs do not state their length and are taken as tg512 like the Llama-3 runs).

import type { DeviceKind } from './types.ts';

/** One measured single-stream decode speed with what it read per token. */
export interface DecodeMeasurement {
  label: string;
  kind: DeviceKind;
  bandwidthGBs: number;
  weightBytesPerToken: number;
  kvBytesPerToken: number;
  measuredTokensPerSecond: number;
}

/** One measured prompt-processing speed with the work per token and the device's peak. */
export interface PrefillMeasurement {
  label: string;
  kind: DeviceKind;
  /** Dense FP16 peak of the measured device (scaled by GPU cores for cut-down chips). */
  peakTflops: number;
  flopsPerToken: number;
  measuredTokensPerSecond: number;
}

const GIB_BYTES = 2 ** 30;

const L2_Q4_0_BYTES = Math.round(3.56 * GIB_BYTES);
const L2_Q8_0_BYTES = Math.round(6.67 * GIB_BYTES);
const L2_F16_BYTES = Math.round(12.55 * GIB_BYTES);
const L3_Q4_K_M_BYTES = Math.round(4.58 * GIB_BYTES);

/** Llama-2 7B f16 KV per cached token: 32 layers x 32 KV heads x 128 x (K + V) x 2 B. */
const L2_KV_BYTES_PER_TOKEN = 32 * 32 * 128 * 2 * 2;
/** Llama-3 8B f16 KV per cached token: 32 layers x 8 KV heads x 128 x (K + V) x 2 B. */
const L3_KV_BYTES_PER_TOKEN = 32 * 8 * 128 * 2 * 2;

const TG128_AVERAGE_CONTEXT = 64;
const TG512_AVERAGE_CONTEXT = 256;

type Quant = 'q4_0' | 'q8_0' | 'f16' | 'l3_q4_k_m';

const WEIGHT_BYTES: Record<Quant, number> = {
  q4_0: L2_Q4_0_BYTES,
  q8_0: L2_Q8_0_BYTES,
  f16: L2_F16_BYTES,
  l3_q4_k_m: L3_Q4_K_M_BYTES,
};

function appleRows(
  chip: string,
  bandwidthGBs: number,
  speeds: Partial<Record<Quant, number>>,
): DecodeMeasurement[] {
  return Object.entries(speeds).map(([quant, tokensPerSecond]) => ({
    label: `${chip} Llama-2 7B ${quant}`,
    kind: 'unified-memory',
    bandwidthGBs,
    weightBytesPerToken: WEIGHT_BYTES[quant as Quant],
    kvBytesPerToken: L2_KV_BYTES_PER_TOKEN * TG128_AVERAGE_CONTEXT,
    measuredTokensPerSecond: tokensPerSecond,
  }));
}

function cudaRows(
  gpu: string,
  kind: DeviceKind,
  bandwidthGBs: number,
  speeds: Partial<Record<Quant, number>>,
): DecodeMeasurement[] {
  return Object.entries(speeds).map(([quant, tokensPerSecond]) => ({
    label: `${gpu} ${quant === 'l3_q4_k_m' ? 'Llama-3 8B Q4_K_M' : `Llama-2 7B ${quant}`}`,
    kind,
    bandwidthGBs,
    weightBytesPerToken: WEIGHT_BYTES[quant as Quant],
    kvBytesPerToken:
      (quant === 'l3_q4_k_m' ? L3_KV_BYTES_PER_TOKEN : L2_KV_BYTES_PER_TOKEN) *
      TG512_AVERAGE_CONTEXT,
    measuredTokensPerSecond: tokensPerSecond,
  }));
}

/** Every decode row of cluster.md §4.2, in the document's order. */
export const DECODE_MEASUREMENTS: readonly DecodeMeasurement[] = [
  ...appleRows('M1 (8c)', 68.25, { q4_0: 14.15, q8_0: 7.91 }),
  ...appleRows('M2 (10c)', 100, { q4_0: 21.91, q8_0: 12.21, f16: 6.72 }),
  ...appleRows('M4 (10c)', 120, { q4_0: 24.11, q8_0: 13.54, f16: 7.43 }),
  ...appleRows('M3 Pro (18c)', 150, { q4_0: 30.74, q8_0: 17.53, f16: 9.89 }),
  ...appleRows('M2 Pro (16c)', 200, { q4_0: 37.87, q8_0: 22.7, f16: 12.47 }),
  ...appleRows('M1 Pro (16c)', 200, { q4_0: 36.4 }),
  ...appleRows('M4 Pro (20c)', 273, { q4_0: 50.74, q8_0: 30.69, f16: 17.18 }),
  ...appleRows('M2 Max (30c)', 400, { q4_0: 60.99, q8_0: 39.97, f16: 24.16 }),
  ...appleRows('M3 Max (40c)', 400, { q4_0: 66.3 }),
  ...appleRows('M4 Max (40c)', 546, { q4_0: 83.06, q8_0: 54.05, f16: 31.64 }),
  ...appleRows('M2 Ultra (60c)', 800, { q4_0: 88.64, q8_0: 62.14, f16: 39.86 }),
  ...appleRows('M2 Ultra (76c)', 800, { q4_0: 94.27, q8_0: 66.64, f16: 41.02 }),
  ...cudaRows('RTX 3090', 'discrete-gpu', 936, { q4_0: 120.6, f16: 51.85, l3_q4_k_m: 115.42 }),
  ...cudaRows('RTX 4090', 'discrete-gpu', 1008, { q4_0: 149.37, f16: 60.78, l3_q4_k_m: 130.58 }),
  ...cudaRows('RTX 4080', 'discrete-gpu', 716.8, { q4_0: 118.01, f16: 44.2, l3_q4_k_m: 108.15 }),
  ...cudaRows('RTX A6000', 'discrete-gpu', 768, { q4_0: 111.57, f16: 44.01 }),
  ...cudaRows('RTX 6000 Ada', 'discrete-gpu', 960, { q4_0: 127.45, f16: 50.56 }),
  ...cudaRows('RTX 3070', 'discrete-gpu', 448, { l3_q4_k_m: 72.79 }),
  ...cudaRows('A100 80GB', 'datacenter-gpu', 2039, { q4_0: 136.24, f16: 73.83 }),
  ...cudaRows('H100 PCIe', 'datacenter-gpu', 2000, { q4_0: 133.77, f16: 83.32 }),
];

/** Llama-2 7B parameters (6,738,415,616) x 2 FLOP + attention at a 512-token prompt. */
const L2_PREFILL_FLOPS_PER_TOKEN = 2 * 6_738_415_616 + 2 * 32 * 32 * 128 * 512;

/**
 * F16 prompt-processing rows (pp512): #4167 M2 Ultra (cluster.md §4.2; the 60-core chip's peak
 * is 27.2 x 60 / 76) and, for every CUDA card, one table run with one llama.cpp build on one
 * model: XiongjieDai/GPU-Benchmarks-on-LLM-Inference, "Average prompt eval speed ... LLaMA 2",
 * 7B_f16 column (Dec 2023; prompt length not stated, 512 taken). Its May 2024 Llama-3 rows cover
 * only GeForce cards: mixing them with the 2023 datacenter rows fitted a newer build's share
 * for GeForce against an older one's for A100/H100 and put an A100 below an RTX 3090.
 */
export const PREFILL_MEASUREMENTS: readonly PrefillMeasurement[] = [
  prefill('M2 Ultra (76c)', 'unified-memory', 27.2, L2_PREFILL_FLOPS_PER_TOKEN, 1401.85),
  prefill(
    'M2 Ultra (60c)',
    'unified-memory',
    (27.2 * 60) / 76,
    L2_PREFILL_FLOPS_PER_TOKEN,
    1128.59,
  ),
  prefill('RTX 3090', 'discrete-gpu', 142, L2_PREFILL_FLOPS_PER_TOKEN, 3075.37),
  prefill('RTX 4080', 'discrete-gpu', 194.9, L2_PREFILL_FLOPS_PER_TOKEN, 5158.19),
  prefill('RTX 4090', 'discrete-gpu', 330.3, L2_PREFILL_FLOPS_PER_TOKEN, 7348.69),
  prefill('RTX A6000', 'discrete-gpu', 154.8, L2_PREFILL_FLOPS_PER_TOKEN, 3707.88),
  prefill('RTX 6000 Ada', 'discrete-gpu', 364.2, L2_PREFILL_FLOPS_PER_TOKEN, 5403.6),
  prefill('A100 80GB', 'datacenter-gpu', 312, L2_PREFILL_FLOPS_PER_TOKEN, 5105.77),
  prefill('H100 PCIe', 'datacenter-gpu', 756, L2_PREFILL_FLOPS_PER_TOKEN, 7367),
];

function prefill(
  label: string,
  kind: DeviceKind,
  peakTflops: number,
  flopsPerToken: number,
  measuredTokensPerSecond: number,
): PrefillMeasurement {
  return { label, kind, peakTflops, flopsPerToken, measuredTokensPerSecond };
}
