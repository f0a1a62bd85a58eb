// CPU-only hosts of the device catalogue: desktop dual-channel and a 12-channel server.
//
// Bandwidth is the DRAM peak: channels x 8 bytes per transfer x MT/s. FP16 runs at the FP32
// rate on these cores (F16C converts, AVX2 or AVX-512 multiplies in FP32), so the rate is
// cores x 32 FP32 FLOP per clock (two 256-bit FMA pipes; Zen 4 runs AVX-512 on the same two
// pipes) x base clock. RAM sizes are a common configuration; a probe knows the real one.

import type { DeviceSpec } from './types.ts';

const GIB_BYTES = 2 ** 30;

/** Every CPU-only host row. */
export const CPU_DEVICES: readonly DeviceSpec[] = [
  {
    id: 'cpu-ddr4-3200-2ch-64gb',
    name: 'Desktop CPU, DDR4-3200 dual channel, 64 GB (8-core Zen 3)',
    aliases: ['DDR4 dual channel', 'desktop DDR4'],
    vendor: 'cpu',
    kind: 'cpu',
    memoryBytes: 64 * GIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 51.2,
    fp16Tflops: 0.973,
    interconnect: null,
    source:
      '2 channels x 8 B x 3200 MT/s = 51.2 GB/s [D]; 8 cores x 32 FLOP/clock x 3.8 GHz base ' +
      '(Ryzen 7 5800X spec) = 0.973 TFLOPS [D]; share 1: the agent reads MemAvailable',
  },
  {
    id: 'cpu-ddr5-5600-2ch-64gb',
    name: 'Desktop CPU, DDR5-5600 dual channel, 64 GB (16-core Zen 4)',
    aliases: ['DDR5 dual channel', 'desktop DDR5'],
    vendor: 'cpu',
    kind: 'cpu',
    memoryBytes: 64 * GIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 89.6,
    fp16Tflops: 2.304,
    interconnect: null,
    source:
      '2 channels x 8 B x 5600 MT/s = 89.6 GB/s [D]; 16 cores x 32 FLOP/clock x 4.5 GHz base ' +
      '(Ryzen 9 7950X spec) = 2.304 TFLOPS [D]; share 1: the agent reads MemAvailable',
  },
  {
    id: 'cpu-epyc-genoa-12ch-768gb',
    name: 'Server CPU, DDR5-4800 12 channels, 768 GB (96-core EPYC 9654)',
    aliases: ['EPYC 9654', '12-channel DDR5', 'EPYC Genoa'],
    vendor: 'cpu',
    kind: 'cpu',
    memoryBytes: 768 * GIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 460.8,
    fp16Tflops: 7.373,
    interconnect: null,
    source:
      '12 channels x 8 B x 4800 MT/s = 460.8 GB/s [D]; 96 cores x 32 FLOP/clock x 2.4 GHz ' +
      'base (EPYC 9654 spec) = 7.373 TFLOPS [D]; 12 x 64 GiB RDIMMs; share 1: the agent ' +
      'reads MemAvailable',
  },
];
