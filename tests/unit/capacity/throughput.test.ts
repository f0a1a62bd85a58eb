import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { DecodeMeasurement } from '../../../lib/capacity/devices/measurements.ts';
import {
  DECODE_MEASUREMENTS,
  PREFILL_MEASUREMENTS,
} from '../../../lib/capacity/devices/measurements.ts';
import type { DeviceKind } from '../../../lib/capacity/devices/types.ts';
import { findDevice } from '../../../lib/capacity/devices/catalogue.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import type { BatchedDecodeInput, PipelineStage } from '../../../lib/capacity/throughput.ts';
import {
  DECODE_OVERHEAD_FITS,
  PREFILL_EFFICIENCY_FITS,
  batchedDecode,
  decodeTokensPerSecond,
  perTokenOverheadSeconds,
  pipelineDecode,
  prefill,
  prefillEfficiency,
  prefillFlopsPerToken,
  tensorParallelDecode,
} from '../../../lib/capacity/throughput.ts';

const GIB = 2 ** 30;
const FITTED_KINDS = ['unified-memory', 'discrete-gpu', 'datacenter-gpu'] as const;

/** Tolerance of the overhead model against every measured row of cluster.md §4.2. */
const OVERHEAD_MODEL_TOLERANCE = 0.15;
/** Tolerance the brief allows; a single multiplier per class exceeds it. */
const BRIEF_TOLERANCE = 0.25;

function overheadFor(kind: DeviceKind): number {
  const seconds = perTokenOverheadSeconds(kind);
  if (seconds === null) throw new Error(`no fit for ${kind}`);
  return seconds;
}

function overheadModelError(row: DecodeMeasurement): number {
  const predicted = decodeTokensPerSecond(
    row.weightBytesPerToken,
    row.kvBytesPerToken,
    row.bandwidthGBs,
    overheadFor(row.kind),
  );
  return predicted / row.measuredTokensPerSecond - 1;
}

function boundTokensPerSecond(row: DecodeMeasurement): number {
  return (row.bandwidthGBs * 1e9) / (row.weightBytesPerToken + row.kvBytesPerToken);
}

/** The competing model: measured = e x bound, e fitted per class by least relative error. */
function multiplierModelErrors(rows: readonly DecodeMeasurement[]): number[] {
  const ratios = rows.map((row) => boundTokensPerSecond(row) / row.measuredTokensPerSecond);
  const efficiency =
    ratios.reduce((sum, r) => sum + r, 0) / ratios.reduce((sum, r) => sum + r * r, 0);
  return ratios.map((r) => efficiency * r - 1);
}

function rms(errors: readonly number[]): number {
  return Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / errors.length);
}

function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

function batchInput(overrides: Partial<BatchedDecodeInput> = {}): BatchedDecodeInput {
  return {
    activeWeightBytesPerToken: 16e9,
    kvBytesReadPerToken: 0,
    batchSequences: 1,
    bandwidthGBs: 3350,
    perTokenOverheadSeconds: 0.005,
    compute: null,
    ...overrides,
  };
}

describe('single-stream decode', () => {
  it('divides bytes by bandwidth and adds the overhead', () => {
    const bytes = Math.round(3.56 * GIB); // Llama-2 7B Q4_0, 3822520893 B
    const seconds = bytes / 400e9 + 0.0064; // M2 Max 400 GB/s + 6.4 ms
    expect(decodeTokensPerSecond(bytes, 0, 400, 0.0064)).toBeCloseTo(1 / seconds, 9);
    expect(1 / seconds).toBeCloseTo(62.67, 2); // measured 60.99 t/s
  });

  it('adds the KV read to the weights', () => {
    const kv = 4096 * 32 * 32 * 128 * 2 * 2; // 4096 tokens x layers x heads x dim x K+V x f16
    expect(decodeTokensPerSecond(1e9, kv, 1000, 0)).toBeCloseTo(1000e9 / (1e9 + kv), 6);
  });

  it.each(DECODE_MEASUREMENTS.map((row) => [row.label, row] as const))(
    'reproduces %s within 15 %',
    (_label, row) => {
      expect(Math.abs(overheadModelError(row))).toBeLessThan(OVERHEAD_MODEL_TOLERANCE);
    },
  );

  it.each([
    ['unified-memory', 31, 0.0064], // M1 .. M2 Ultra, Llama-2 7B Q4_0/Q8_0/F16
    ['discrete-gpu', 14, 0.00328], // RTX 3070/3090/4080/4090, A6000, 6000 Ada
    ['datacenter-gpu', 4, 0.00557], // A100 80GB, H100 PCIe
  ] as const)('fits the %s overhead to %i rows as %s s', (kind, rows, seconds) => {
    expect(DECODE_OVERHEAD_FITS[kind].rows).toBe(rows);
    expect(overheadFor(kind)).toBeCloseTo(seconds, 5);
  });

  it('has no fitted overhead where no row was measured', () => {
    expect(perTokenOverheadSeconds('cpu')).toBeNull();
    expect(DECODE_OVERHEAD_FITS.cpu.rows).toBe(0);
  });

  it.each(FITTED_KINDS)('beats a single efficiency multiplier on the %s rows', (kind) => {
    const rows = DECODE_MEASUREMENTS.filter((row) => row.kind === kind);
    const overheadErrors = rows.map(overheadModelError);
    const multiplierErrors = multiplierModelErrors(rows);

    expect(Math.max(...multiplierErrors.map(Math.abs))).toBeGreaterThan(BRIEF_TOLERANCE);
    expect(Math.max(...overheadErrors.map(Math.abs))).toBeLessThan(BRIEF_TOLERANCE);
    expect(rms(overheadErrors)).toBeLessThan(rms(multiplierErrors) / 2);
  });

  it('never slows down with more bandwidth', () => {
    const sizes = fc.double({ min: 0, max: 1e12, noNaN: true });
    const bandwidth = fc.double({ min: 1, max: 1e4, noNaN: true });
    fc.assert(
      fc.property(sizes, bandwidth, bandwidth, (bytes, a, b) => {
        const [low, high] = a < b ? [a, b] : [b, a];
        const slow = decodeTokensPerSecond(bytes, 0, low, 0.001);
        expect(decodeTokensPerSecond(bytes, 0, high, 0.001)).toBeGreaterThanOrEqual(slow);
      }),
    );
  });

  it('never speeds up with more bytes to read', () => {
    const sizes = fc.double({ min: 0, max: 1e12, noNaN: true });
    fc.assert(
      fc.property(sizes, sizes, sizes, (weights, a, b) => {
        const [less, more] = a < b ? [a, b] : [b, a];
        const fast = decodeTokensPerSecond(weights, less, 900, 0.003);
        expect(decodeTokensPerSecond(weights, more, 900, 0.003)).toBeLessThanOrEqual(fast);
      }),
    );
  });

  it('runs a million times in well under a second', () => {
    let sum = 0;
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i += 1) sum += decodeTokensPerSecond(4e9 + i, 1e6, 1008, 0.003);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(sum).toBeGreaterThan(0);
  });

  it.each<[[number, number, number, number], string]>([
    [[-1, 0, 100, 0], 'activeWeightBytesPerToken'],
    [[Number.NaN, 0, 100, 0], 'activeWeightBytesPerToken'],
    [[1e9, -1, 100, 0], 'kvBytesReadPerToken'],
    [[1e9, 0, 0, 0], 'bandwidthGBs'],
    [[1e9, 0, Infinity, 0], 'bandwidthGBs'],
    [[1e9, 0, 100, -0.001], 'perTokenOverheadSeconds'],
    [[0, 0, 100, 0], 'activeWeightBytesPerToken'],
    [[1e300, 0, 1e-300, 0], 'activeWeightBytesPerToken'],
  ])('rejects %o naming %s', (args, field) => {
    const error = capacityError(() => decodeTokensPerSecond(...args));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe(field);
  });
});

describe('batched decode', () => {
  it('matches single-stream decode for a batch of one', () => {
    const result = batchedDecode(batchInput());
    expect(result.tokensPerSecondPerSequence).toBeCloseTo(
      decodeTokensPerSecond(16e9, 0, 3350, 0.005),
      9,
    );
    expect(result.tokensPerSecondTotal).toBe(result.tokensPerSecondPerSequence);
  });

  it('shares the weights across the batch and reads KV per sequence', () => {
    const kv = 1e8; // bytes per sequence
    const result = batchedDecode(batchInput({ kvBytesReadPerToken: kv, batchSequences: 8 }));
    const seconds = (16e9 + 8 * kv) / 3350e9 + 0.005; // weights once + 8 KV reads + overhead
    expect(result.stepSeconds).toBeCloseTo(seconds, 12);
    expect(result.tokensPerSecondTotal).toBeCloseTo(8 / seconds, 6);
    expect(result.bound).toBe('memory');
  });

  it('becomes compute-bound at a large batch', () => {
    const compute = { flopsPerToken: 16e9, peakTflops: 989, efficiency: 0.5 };
    const result = batchedDecode(batchInput({ batchSequences: 512, compute }));
    const computeSeconds = (512 * 16e9) / (989e12 * 0.5); // 0.01657 s > 16e9 / 3350e9
    expect(result.bound).toBe('compute');
    expect(result.stepSeconds).toBeCloseTo(computeSeconds + 0.005, 12);
  });

  it('raises total speed and lowers per-sequence speed as the batch grows', () => {
    const small = batchedDecode(batchInput({ kvBytesReadPerToken: 1e8, batchSequences: 4 }));
    const large = batchedDecode(batchInput({ kvBytesReadPerToken: 1e8, batchSequences: 32 }));
    expect(large.tokensPerSecondTotal).toBeGreaterThan(small.tokensPerSecondTotal);
    expect(large.tokensPerSecondPerSequence).toBeLessThan(small.tokensPerSecondPerSequence);
  });

  it.each([
    [{ batchSequences: 0 }, 'batchSequences'],
    [{ batchSequences: 1.5 }, 'batchSequences'],
    [{ compute: { flopsPerToken: 1e9, peakTflops: 100, efficiency: 0 } }, 'efficiency'],
    [{ compute: { flopsPerToken: 1e9, peakTflops: 100, efficiency: 1.2 } }, 'efficiency'],
    [{ compute: { flopsPerToken: 1e9, peakTflops: -1, efficiency: 0.5 } }, 'peakTflops'],
  ])('rejects %o naming %s', (overrides, field) => {
    expect(capacityError(() => batchedDecode(batchInput(overrides))).field).toBe(field);
  });
});

describe('tensor-parallel decode', () => {
  const llama70b = {
    ...batchInput({ activeWeightBytesPerToken: 140e9, perTokenOverheadSeconds: 0.0056 }),
    gpus: 8,
    layers: 80,
    allReduceBytesPerSequence: 8192 * 2, // hidden x f16
    interconnectBidirectionalGBs: 900, // NVLink 4
    allReduceLatencySeconds: 10e-6, // example value, not a measurement
  };

  it('splits the bytes over the GPUs and adds two all-reduces per layer', () => {
    const memory = 140e9 / 8 / 3350e9; // 5.224 ms
    const allReduce = (((2 * 7) / 8) * 16384) / 450e9 + 10e-6; // ring bytes / one way + latency
    const communication = 80 * 2 * allReduce; // 1.610 ms
    const result = tensorParallelDecode(llama70b);

    expect(result.communicationSeconds).toBeCloseTo(communication, 12);
    expect(result.stepSeconds).toBeCloseTo(memory + 0.0056 + communication, 12);
    expect(result.tokensPerSecondPerSequence).toBeCloseTo(80.42, 2);
  });

  it('matches batched decode on one GPU', () => {
    const one = tensorParallelDecode({ ...llama70b, gpus: 1 });
    expect(one.communicationSeconds).toBe(0);
    expect(one.stepSeconds).toBeCloseTo(batchedDecode(llama70b).stepSeconds, 12);
  });

  it('slows down as all-reduce latency grows', () => {
    const fast = tensorParallelDecode(llama70b);
    const slow = tensorParallelDecode({ ...llama70b, allReduceLatencySeconds: 50e-6 });
    expect(slow.tokensPerSecondPerSequence).toBeLessThan(fast.tokensPerSecondPerSequence);
  });

  it('rejects a link without bandwidth', () => {
    const error = capacityError(() =>
      tensorParallelDecode({ ...llama70b, interconnectBidirectionalGBs: 0 }),
    );
    expect(error.field).toBe('interconnectBidirectionalGBs');
  });
});

describe('pipeline decode', () => {
  const l3Q4KM = Math.round(4.58 * GIB); // Llama-3 8B Q4_K_M, llama-bench GiB
  const kv = 256 * 32 * 8 * 128 * 2 * 2; // tg512 average context x layers x KV heads x dim x 2 x 2
  const rtx4090Half: PipelineStage = {
    activeWeightBytesPerToken: l3Q4KM / 2,
    kvBytesReadPerToken: kv / 2,
    bandwidthGBs: 1008,
    perTokenOverheadSeconds: overheadFor('discrete-gpu'),
    layers: 16,
    compute: null,
  };

  it('reproduces the two-4090 layer split within 15 %', () => {
    const result = pipelineDecode({
      stages: [rtx4090Half, rtx4090Half],
      batchSequences: 1,
      activationBytesPerSequence: 4096 * 4, // hidden x f32 between stages
      hopGBsPerDirection: 32, // PCIe 4.0 x16, one way
      hopLatencySeconds: 0, // not measured; the row is within tolerance without it
    });
    const measured = 124.65; // XiongjieDai 4090 x2, 8B Q4_K_M tg512
    expect(Math.abs(result.tokensPerSecondPerSequence / measured - 1)).toBeLessThan(0.15);
  });

  it('sums stage times, shares the overhead by layers and adds the hops', () => {
    const result = pipelineDecode({
      stages: [rtx4090Half, { ...rtx4090Half, bandwidthGBs: 504, layers: 16 }],
      batchSequences: 1,
      activationBytesPerSequence: 16384,
      hopGBsPerDirection: 0.125, // 1 Gb/s Ethernet
      hopLatencySeconds: 0.0002,
    });
    const memory = (l3Q4KM / 2 + kv / 2) / 1008e9 + (l3Q4KM / 2 + kv / 2) / 504e9;
    const overhead = overheadFor('discrete-gpu'); // half on each stage
    const hop = 16384 / 0.125e9 + 0.0002; // one hop between two stages
    expect(result.stepSeconds).toBeCloseTo(memory + overhead + hop, 12);
  });

  it('matches batched decode with one stage', () => {
    const single = pipelineDecode({
      stages: [{ ...rtx4090Half, layers: 32 }],
      batchSequences: 4,
      activationBytesPerSequence: 0,
      hopGBsPerDirection: 1,
      hopLatencySeconds: 0,
    });
    const batched = batchedDecode({
      activeWeightBytesPerToken: l3Q4KM / 2,
      kvBytesReadPerToken: kv / 2,
      batchSequences: 4,
      bandwidthGBs: 1008,
      perTokenOverheadSeconds: overheadFor('discrete-gpu'),
      compute: null,
    });
    expect(single.stepSeconds).toBeCloseTo(batched.stepSeconds, 12);
  });

  it('rejects a pipeline without stages', () => {
    const error = capacityError(() =>
      pipelineDecode({
        stages: [],
        batchSequences: 1,
        activationBytesPerSequence: 0,
        hopGBsPerDirection: 1,
        hopLatencySeconds: 0,
      }),
    );
    expect(error.field).toBe('stages');
  });
});

describe('prefill', () => {
  it('counts 2 FLOPs per parameter plus causal attention', () => {
    const flops = prefillFlopsPerToken(8_030_261_248, 32 * 32 * 128, 512);
    expect(flops).toBe(2 * 8_030_261_248 + 2 * 32 * 32 * 128 * 512); // 16.19 GFLOP
  });

  it('divides the effective FLOP rate by the FLOPs per token', () => {
    const result = prefill({
      activeParams: 8_030_261_248, // Llama-3 8B
      attentionWidth: 32 * 32 * 128, // layers x query heads x head dim
      promptTokens: 512,
      peakTflops: 330.3, // RTX 4090, FP16 accumulate
      efficiency: 0.5,
    });
    const tokensPerSecond = (330.3e12 * 0.5) / 16_194_740_224; // 10198 t/s
    expect(result.tokensPerSecond).toBeCloseTo(tokensPerSecond, 6);
    expect(result.seconds).toBeCloseTo(512 / tokensPerSecond, 12);
  });

  it.each([
    ['unified-memory', 0.708], // M2 Ultra 60c and 76c, Llama-2 7B F16 pp512
    ['discrete-gpu', 0.297], // RTX 3090, 4080, 4090, A6000, 6000 Ada, Llama-2 7B F16 (Dec 2023)
    ['datacenter-gpu', 0.178], // A100 80GB, H100 PCIe, same table and build
  ] as const)('fits the %s prefill efficiency as %s', (kind, share) => {
    expect(prefillEfficiency(kind)).toBeCloseTo(share, 3);
    expect(PREFILL_EFFICIENCY_FITS[kind].rows).toBe(
      PREFILL_MEASUREMENTS.filter((row) => row.kind === kind).length,
    );
  });

  it('fits every CUDA class on rows of one table: one model, one build', () => {
    const cuda = PREFILL_MEASUREMENTS.filter((row) => row.kind !== 'unified-memory');
    const flopsPerToken = 2 * 6_738_415_616 + 2 * 32 * 32 * 128 * 512; // Llama-2 7B at 512

    expect(cuda.map((row) => row.label)).toEqual([
      'RTX 3090',
      'RTX 4080',
      'RTX 4090',
      'RTX A6000',
      'RTX 6000 Ada',
      'A100 80GB',
      'H100 PCIe',
    ]);
    expect(new Set(cuda.map((row) => row.flopsPerToken))).toEqual(new Set([flopsPerToken]));
  });

  it('prefills faster on more FP16 FLOPs: RTX 3090 < A100 SXM < H100 SXM', () => {
    const llama31 = { activeParams: 8_030_261_248, attentionWidth: 32 * 32 * 128 };
    const rate = (id: string) => {
      const device = findDevice(id);
      const efficiency = prefillEfficiency(device.kind) ?? 0;
      return prefill({ ...llama31, promptTokens: 4096, peakTflops: device.fp16Tflops, efficiency })
        .tokensPerSecond;
    };
    const flopsPerToken = 2 * 8_030_261_248 + 2 * 32 * 32 * 128 * 4096; // 17.135e9

    // 142e12 x 0.2972 / 17.135e9 = 2463 t/s; 312e12 x 0.1777 / 17.135e9 = 3235 t/s.
    expect(rate('rtx-3090')).toBeCloseTo(
      (142e12 * (prefillEfficiency('discrete-gpu') ?? 0)) / flopsPerToken,
      6,
    );
    expect(rate('rtx-3090')).toBeCloseTo(2463, -1);
    expect(rate('a100-80gb-sxm')).toBeCloseTo(3235, -1);
    expect(rate('a100-80gb-sxm') / rate('rtx-3090')).toBeGreaterThan(1.3);
    expect(rate('h100-sxm')).toBeGreaterThan(rate('a100-80gb-sxm'));
    expect(rate('rtx-4090')).toBeGreaterThan(rate('rtx-3090'));
  });

  it('reproduces the Apple prefill rows within 2 %', () => {
    const efficiency = prefillEfficiency('unified-memory') ?? 0;
    for (const row of PREFILL_MEASUREMENTS.filter((r) => r.kind === 'unified-memory')) {
      const predicted = (row.peakTflops * 1e12 * efficiency) / row.flopsPerToken;
      expect(Math.abs(predicted / row.measuredTokensPerSecond - 1)).toBeLessThan(0.02);
    }
  });

  it.each([
    [{ efficiency: 0 }, 'efficiency'],
    [{ peakTflops: 0 }, 'peakTflops'],
    [{ promptTokens: 0 }, 'promptTokens'],
    [{ activeParams: Number.NaN }, 'activeParams'],
  ])('rejects %o naming %s', (overrides, field) => {
    const input = {
      activeParams: 7e9,
      attentionWidth: 4096 * 32,
      promptTokens: 512,
      peakTflops: 100,
      efficiency: 0.5,
      ...overrides,
    };
    expect(capacityError(() => prefill(input)).field).toBe(field);
  });
});
