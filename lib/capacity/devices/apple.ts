// Apple Silicon rows of the device catalogue: each chip at its common memory sizes.
//
// Bandwidth and GPU FP16 rates are cluster.md §4.1 (metal-benchmarks for M1/M2, gguf-parser-go
// for M3/M4; FP16 runs at the FP32 rate on these GPUs). Apple's "GB" of unified memory are
// GiB: `sysctl hw.memsize` gives 17179869184 for a 16 GB Mac (cluster.md §3.3).

import type { DeviceSpec } from './types.ts';

const GIB_BYTES = 2 ** 30;

/** One chip variant (GPU core count) and the memory sizes it ships with. */
interface AppleChip {
  /** Id stem, e.g. `m2-max`. */
  stem: string;
  chip: string;
  gpuCores: number;
  bandwidthGBs: number;
  fp16Tflops: number;
  memoryGiB: readonly number[];
  source: string;
}

const METAL_BENCHMARKS = 'metal-benchmarks (philipturner) and Apple tech specs [M/V]';
const GGUF_PARSER = 'gguf-parser-go README table and Apple tech specs [U]';

const CHIPS: readonly AppleChip[] = [
  chip('m1', 'M1', 8, 68.25, 2.6, [8, 16], METAL_BENCHMARKS),
  chip('m1-pro', 'M1 Pro', 16, 200, 5.3, [16, 32], METAL_BENCHMARKS),
  chip('m1-max', 'M1 Max', 32, 400, 10.6, [32, 64], METAL_BENCHMARKS),
  chip('m1-ultra', 'M1 Ultra', 64, 800, 21.2, [64, 128], METAL_BENCHMARKS),
  chip('m2', 'M2', 10, 100, 3.6, [8, 16, 24], METAL_BENCHMARKS),
  chip('m2-pro', 'M2 Pro', 19, 200, 6.8, [16, 32], METAL_BENCHMARKS),
  chip('m2-max', 'M2 Max', 38, 400, 13.6, [32, 64, 96], METAL_BENCHMARKS),
  chip('m2-ultra', 'M2 Ultra', 76, 800, 27.2, [64, 128, 192], METAL_BENCHMARKS),
  chip('m3', 'M3', 10, 100, 4.1, [8, 16, 24], GGUF_PARSER),
  chip('m3-pro', 'M3 Pro', 18, 150, 7.4, [18, 36], GGUF_PARSER),
  chip(
    'm3-max',
    'M3 Max',
    30,
    300,
    12.3,
    [36],
    'the 30-core variant: 300 GB/s (Apple tech specs) [V]; FP16 = 16.4 x 30 / 40 cores [D/U]',
  ),
  chip('m3-max', 'M3 Max', 40, 400, 16.4, [48, 64, 128], GGUF_PARSER),
  chip(
    'm3-ultra',
    'M3 Ultra',
    80,
    819,
    33,
    [96, 256, 512],
    '819 GB/s (Apple tech specs) [V]; FP16 = 2 x M3 Max [D/U]',
  ),
  chip('m4', 'M4', 10, 120, 4.1, [16, 24, 32], GGUF_PARSER),
  chip(
    'm4-pro',
    'M4 Pro',
    20,
    273,
    9,
    [24, 48, 64],
    '273 GB/s (Apple tech specs) [V]; FP16 = 20 cores x 256 FLOP/clock x ~1.8 GHz [D/U]',
  ),
  chip(
    'm4-max',
    'M4 Max',
    32,
    410,
    14.4,
    [36],
    'the 32-core variant: 410 GB/s (Apple tech specs) [V]; FP16 = 18 x 32 / 40 cores [D/U]',
  ),
  chip(
    'm4-max',
    'M4 Max',
    40,
    546,
    18,
    [48, 64, 128],
    '546 GB/s (Apple tech specs) [V]; FP16 = 40 cores x 256 FLOP/clock x ~1.8 GHz [D/U]',
  ),
];

function chip(
  stem: string,
  name: string,
  gpuCores: number,
  bandwidthGBs: number,
  fp16Tflops: number,
  memoryGiB: readonly number[],
  source: string,
): AppleChip {
  return { stem, chip: name, gpuCores, bandwidthGBs, fp16Tflops, memoryGiB, source };
}

/**
 * Metal's default GPU working set (`recommendedMaxWorkingSetSize`) as a share of RAM. llama.cpp
 * logs it divided by 10^6 (ggml-metal `/ 1e6`), so the observed logs of cluster.md §3.3 read:
 * 11453.25 MB on 16 GB = 2/3 exactly; 14302.25 MB on 18 GB = 0.74; 26800.60 MB on 32 GB and
 * 30150.67 MB on 36 GB = 0.78; ~96 GB on 128 GB = 0.75. Sizes between observations take the
 * lower neighbour (24 GB -> 0.74); 8 GB keeps 2/3 (the small-machine rule of §3.3). The real
 * value moves with the macOS version and `iogpu.wired_limit_mb`; probes should read it.
 */
export function appleWorkingSetShare(memoryGiB: number): number {
  if (memoryGiB <= 16) return 2 / 3;
  if (memoryGiB <= 24) return 0.74;
  if (memoryGiB <= 36) return 0.78;
  return 0.75;
}

function appleRow(spec: AppleChip, memoryGiB: number): DeviceSpec {
  const share = appleWorkingSetShare(memoryGiB);

  return {
    id: `${spec.stem}-${memoryGiB}gb`,
    name: `Apple ${spec.chip} (${spec.gpuCores}-core GPU, ${memoryGiB} GB)`,
    aliases: [`${spec.chip} ${memoryGiB}GB`, `Apple ${spec.chip} ${memoryGiB}GB`],
    vendor: 'apple',
    kind: 'unified-memory',
    memoryBytes: memoryGiB * GIB_BYTES,
    usableMemoryShare: share,
    bandwidthGBs: spec.bandwidthGBs,
    fp16Tflops: spec.fp16Tflops,
    interconnect: null,
    source:
      `${spec.bandwidthGBs} GB/s, FP16 ${spec.fp16Tflops} TFLOPS: ${spec.source}; ` +
      `${memoryGiB} GiB RAM (hw.memsize) [V]; GPU working set ${share.toFixed(3)} of RAM ` +
      '(recommendedMaxWorkingSetSize, cluster.md §3.3) [M]',
  };
}

/** Every Apple Silicon row: each chip variant at each memory size it ships with. */
export const APPLE_DEVICES: readonly DeviceSpec[] = CHIPS.flatMap((spec) =>
  spec.memoryGiB.map((memoryGiB) => appleRow(spec, memoryGiB)),
);
