// AMD rows of the device catalogue: Instinct accelerators and the Radeon RX 7900 XTX.
//
// Memory is rocm-smi's `VRAM Total Memory (B)` where public output reports it; otherwise the
// physical HBM size in GiB (HBM stacks come in power-of-two GiB). Bandwidth and dense FP16
// rates are from AMD's spec pages (cluster.md §4.1). Infinity Fabric bandwidth is links x
// per-link peak from the same pages.

import type { DeviceSpec } from './types.ts';

const GIB_BYTES = 2 ** 30;

/** Every AMD row. */
export const AMD_DEVICES: readonly DeviceSpec[] = [
  {
    id: 'mi210',
    name: 'AMD Instinct MI210',
    aliases: ['MI210', 'Instinct MI210'],
    vendor: 'amd',
    kind: 'datacenter-gpu',
    memoryBytes: 68_702_699_520,
    usableMemoryShare: 1,
    bandwidthGBs: 1638.4,
    fp16Tflops: 181,
    interconnect: {
      kind: 'infinity-fabric',
      generation: '3 links x 100 GB/s (bridge of up to 4 cards)',
      bandwidthGBs: 300,
      domainGpus: 4,
      hostLink: { kind: 'pcie', generation: 'PCIe 4.0 x16', bandwidthGBs: 64 },
    },
    source:
      'rocm-smi 68702699520 B [M]; 1638.4 GB/s, FP16 181 dense, 3 Infinity Fabric links of ' +
      '100 GB/s (AMD MI210 spec page) [V]',
  },
  {
    id: 'mi250x',
    name: 'AMD Instinct MI250X (one GCD)',
    aliases: ['MI250X', 'Instinct MI250X', 'AMD Instinct MI250X'],
    vendor: 'amd',
    kind: 'datacenter-gpu',
    memoryBytes: 64 * GIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1638.4,
    fp16Tflops: 191.5,
    interconnect: {
      kind: 'infinity-fabric',
      generation: "Infinity Fabric, half of the module's 8 links x 100 GB/s per GCD",
      bandwidthGBs: 400,
      domainGpus: 8,
    },
    source:
      'one of the two GCDs ROCm exposes per MI250X module, each its own device: 64 GiB of the ' +
      "module's 128 GiB HBM2e [D], half its 3276.8 GB/s and FP16 383 dense, half its 8 " +
      'Infinity Fabric links; 4 modules (8 GCDs) per node (AMD MI250X spec page) [V]',
  },
  {
    id: 'mi300x',
    name: 'AMD Instinct MI300X',
    aliases: ['MI300X', 'Instinct MI300X'],
    vendor: 'amd',
    kind: 'datacenter-gpu',
    memoryBytes: 192 * GIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 5300,
    fp16Tflops: 1307.4,
    interconnect: {
      kind: 'infinity-fabric',
      generation: '7 links x 128 GB/s (8-GPU OAM platform)',
      bandwidthGBs: 896,
      domainGpus: 8,
    },
    source:
      '192 GiB HBM3 physical [D] (amd-smi fixtures show 196592 MB); 5300 GB/s, FP16 1307.4 ' +
      'dense (2615 is sparse), 7 Infinity Fabric links of 128 GB/s (AMD MI300X spec page) [V]',
  },
  {
    id: 'mi325x',
    name: 'AMD Instinct MI325X',
    aliases: ['MI325X', 'Instinct MI325X'],
    vendor: 'amd',
    kind: 'datacenter-gpu',
    memoryBytes: 256 * GIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 6000,
    fp16Tflops: 1307.4,
    interconnect: {
      kind: 'infinity-fabric',
      generation: '7 links x 128 GB/s (8-GPU OAM platform)',
      bandwidthGBs: 896,
      domainGpus: 8,
    },
    source:
      '256 GiB HBM3E physical [D]; 6000 GB/s, FP16 1307.4 dense (same compute die as the ' +
      'MI300X), 7 Infinity Fabric links of 128 GB/s (AMD MI325X spec page) [V]',
  },
  {
    id: 'rx-7900-xtx',
    name: 'AMD Radeon RX 7900 XTX',
    aliases: ['RX 7900 XTX', 'Radeon RX 7900 XTX', '7900 XTX'],
    vendor: 'amd',
    kind: 'discrete-gpu',
    memoryBytes: 25_769_803_776,
    usableMemoryShare: 1,
    bandwidthGBs: 960,
    fp16Tflops: 122.8,
    interconnect: { kind: 'pcie', generation: 'PCIe 4.0 x16', bandwidthGBs: 64 },
    source:
      'rocm-smi 25769803776 B (cluster.md §3.2) [M]; 960 GB/s, FP16 122.8 peak with ' +
      'dual-issue WMMA (AMD spec page, cluster.md §4.1) [V]',
  },
];
