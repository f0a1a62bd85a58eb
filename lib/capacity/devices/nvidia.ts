// NVIDIA rows of the device catalogue: GeForce, workstation and data-centre GPUs.
//
// Memory is nvidia-smi's `memory.total` in MiB where public logs report it ("smi N MiB"): a
// "24 GB" GDDR card is 24 GiB of chips, of which the driver shows a little less. Bandwidth
// and dense FP16 rates are from cluster.md §4.1 and NVIDIA datasheets and whitepapers.
// GeForce FP16 rates are the FP16-accumulate tensor rate; FP32-accumulate runs at half of it.
// Derived rates say their arithmetic: tensor cores x boost clock x 256 FLOP per clock is the
// Ampere/Ada dense FP16-accumulate rate (it gives the whitepapers' 142 for the 3090 and
// 330.3 for the 4090); a sparse rate halves to dense; an FP8 rate halves again to FP16.

import type { DeviceSpec, Interconnect } from './types.ts';

const MIB_BYTES = 2 ** 20;

const PCIE3_X16: Interconnect = { kind: 'pcie', generation: 'PCIe 3.0 x16', bandwidthGBs: 32 };
const PCIE4_X8: Interconnect = { kind: 'pcie', generation: 'PCIe 4.0 x8', bandwidthGBs: 32 };
const PCIE4_X16: Interconnect = { kind: 'pcie', generation: 'PCIe 4.0 x16', bandwidthGBs: 64 };
const PCIE5_X16: Interconnect = { kind: 'pcie', generation: 'PCIe 5.0 x16', bandwidthGBs: 128 };
const NVLINK2: Interconnect = {
  kind: 'nvlink',
  generation: 'NVLink 2 (DGX-1 hybrid cube mesh, 8 GPUs)',
  bandwidthGBs: 300,
  domainGpus: 8,
};
const NVLINK3: Interconnect = {
  kind: 'nvlink',
  generation: 'NVLink 3 (HGX A100 NVSwitch, 8 GPUs)',
  bandwidthGBs: 600,
  domainGpus: 8,
};
const NVLINK4: Interconnect = {
  kind: 'nvlink',
  generation: 'NVLink 4 (HGX H100/H200 NVSwitch, 8 GPUs)',
  bandwidthGBs: 900,
  domainGpus: 8,
};
const NVLINK4_BRIDGE: Interconnect = {
  kind: 'nvlink',
  generation: 'NVLink 4 bridge (pairs)',
  bandwidthGBs: 600,
  domainGpus: 2,
  hostLink: PCIE5_X16,
};
const NVLINK5: Interconnect = {
  kind: 'nvlink',
  generation: 'NVLink 5 (HGX B200 NVSwitch, 8 GPUs)',
  bandwidthGBs: 1800,
  domainGpus: 8,
};

/** GeForce cards (FP16 at the FP16-accumulate tensor rate). */
const GEFORCE: readonly DeviceSpec[] = [
  {
    id: 'rtx-3060-12gb',
    name: 'NVIDIA GeForce RTX 3060 12GB',
    aliases: ['RTX 3060', 'NVIDIA GeForce RTX 3060', 'GeForce RTX 3060'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 12288 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 360,
    fp16Tflops: 50.5,
    interconnect: PCIE4_X16,
    source:
      'smi 12288 MiB [M]; 360 GB/s [V]; FP16 = NVIDIA 101 sparse tensor TFLOPS / 2 [D] ' +
      '(cluster.md §4.1)',
  },
  {
    id: 'rtx-3070',
    name: 'NVIDIA GeForce RTX 3070',
    aliases: ['RTX 3070', 'GeForce RTX 3070'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 8192 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 448,
    fp16Tflops: 81.3,
    interconnect: PCIE4_X16,
    source:
      'smi 8192 MiB [M]; 448 GB/s (cluster.md §4.2); FP16 = 184 tensor cores x 1.725 GHz x 256 ' +
      '[D], Ampere GA102 whitepaper table 81.3 [V]',
  },
  {
    id: 'rtx-3080-10gb',
    name: 'NVIDIA GeForce RTX 3080 10GB',
    aliases: ['RTX 3080', 'NVIDIA GeForce RTX 3080', 'GeForce RTX 3080'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 10240 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 760,
    fp16Tflops: 119,
    interconnect: PCIE4_X16,
    source:
      'smi 10240 MiB [M]; 760 GB/s; FP16 = 272 tensor cores x 1.71 GHz x 256 [D], Ampere ' +
      'GA102 whitepaper 119 [V]',
  },
  {
    id: 'rtx-3090',
    name: 'NVIDIA GeForce RTX 3090',
    aliases: ['RTX 3090', 'GeForce RTX 3090', '3090'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 24576 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 936,
    fp16Tflops: 142,
    interconnect: PCIE4_X16,
    source:
      'smi 24576 MiB [M]; 936 GB/s, FP16 142 (Ampere GA102 whitepaper, cluster.md §4.1) [V]; ' +
      'an NVLink bridge (112.5 GB/s) exists but most hosts use PCIe',
  },
  {
    id: 'rtx-3090-ti',
    name: 'NVIDIA GeForce RTX 3090 Ti',
    aliases: ['RTX 3090 Ti', 'GeForce RTX 3090 Ti'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 24564 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1008,
    fp16Tflops: 160,
    interconnect: PCIE4_X16,
    source: 'smi 24564 MiB [M]; 1008 GB/s [V]; FP16 = 336 tensor cores x 1.86 GHz x 256 [D]',
  },
  {
    id: 'rtx-4060-ti-16gb',
    name: 'NVIDIA GeForce RTX 4060 Ti 16GB',
    aliases: ['RTX 4060 Ti 16GB', 'NVIDIA GeForce RTX 4060 Ti', 'GeForce RTX 4060 Ti'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 16380 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 288,
    fp16Tflops: 88.25,
    interconnect: PCIE4_X8,
    source:
      'smi 16380 MiB [M]; 288 GB/s [V]; FP16 = 353 AI TOPS (FP8 sparse) / 4 [D] ' +
      '(cluster.md §4.1); the card is wired PCIe 4.0 x8',
  },
  {
    id: 'rtx-4070',
    name: 'NVIDIA GeForce RTX 4070',
    aliases: ['RTX 4070', 'GeForce RTX 4070'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 12282 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 504,
    fp16Tflops: 116.6,
    interconnect: PCIE4_X16,
    source: 'smi 12282 MiB [M]; 504 GB/s [V]; FP16 = 184 tensor cores x 2.475 GHz x 256 [D]',
  },
  {
    id: 'rtx-4080',
    name: 'NVIDIA GeForce RTX 4080',
    aliases: ['RTX 4080', 'RTX 4080 16GB', 'GeForce RTX 4080'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 16376 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 716.8,
    fp16Tflops: 194.9,
    interconnect: PCIE4_X16,
    source: 'smi 16376 MiB [M]; 716.8 GB/s, FP16 194.9 (Ada whitepaper) [V]',
  },
  {
    id: 'rtx-4090',
    name: 'NVIDIA GeForce RTX 4090',
    aliases: ['RTX 4090', 'GeForce RTX 4090', '4090'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 24564 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1008,
    fp16Tflops: 330.3,
    interconnect: PCIE4_X16,
    source: 'smi 24564 MiB (cluster.md §3.1) [M]; 1008 GB/s, FP16 330.3 (Ada whitepaper) [V]',
  },
  {
    id: 'rtx-5080',
    name: 'NVIDIA GeForce RTX 5080',
    aliases: ['RTX 5080', 'GeForce RTX 5080'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 16303 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 960,
    fp16Tflops: 225.1,
    interconnect: PCIE5_X16,
    source: 'smi 16303 MiB [M]; 960 GB/s [V]; FP16 = 1801 AI TOPS (FP4 sparse) / 8 [D]',
  },
  {
    id: 'rtx-5090',
    name: 'NVIDIA GeForce RTX 5090',
    aliases: ['RTX 5090', 'GeForce RTX 5090', '5090'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 32607 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1792,
    fp16Tflops: 419,
    interconnect: PCIE5_X16,
    source:
      'smi 32607 MiB (cluster.md §3.1) [M]; 1792 GB/s [V]; FP16 = 838 sparse / 2 [D] ' +
      '(cluster.md §4.1)',
  },
];

/** Workstation cards (no GeForce halving: the datasheet tensor rate, sparse, halves to dense). */
const WORKSTATION: readonly DeviceSpec[] = [
  {
    id: 'rtx-a5000',
    name: 'NVIDIA RTX A5000',
    aliases: ['RTX A5000', 'A5000'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 24564 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 768,
    fp16Tflops: 111.1,
    interconnect: PCIE4_X16,
    source:
      'smi 24564 MiB (cluster.md §3.1) [M]; 768 GB/s [V]; FP16 = 256 tensor cores x ' +
      '1.695 GHz x 256 [D]',
  },
  {
    id: 'rtx-a6000',
    name: 'NVIDIA RTX A6000',
    aliases: ['RTX A6000', 'A6000'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 49140 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 768,
    fp16Tflops: 154.8,
    interconnect: PCIE4_X16,
    source:
      'smi 49140 MiB [M]; 768 GB/s (cluster.md §4.2) [V]; FP16 = 336 tensor cores x 1.8 GHz ' +
      'x 256 [D] (datasheet 309.7 sparse / 2)',
  },
  {
    id: 'rtx-6000-ada',
    name: 'NVIDIA RTX 6000 Ada Generation',
    aliases: ['RTX 6000 Ada', 'RTX 6000 Ada Generation'],
    vendor: 'nvidia',
    kind: 'discrete-gpu',
    memoryBytes: 49140 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 960,
    fp16Tflops: 364.2,
    interconnect: PCIE4_X16,
    source:
      'smi 49140 MiB [M]; 960 GB/s (cluster.md §4.2) [V]; FP16 = 568 tensor cores x ' +
      '2.505 GHz x 256 [D] (datasheet 1457 FP8 sparse / 4)',
  },
];

/** Data-centre parts (PCIe cards and SXM modules). */
const DATACENTRE: readonly DeviceSpec[] = [
  {
    id: 't4',
    name: 'NVIDIA T4',
    aliases: ['Tesla T4'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 15360 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 320,
    fp16Tflops: 65,
    interconnect: PCIE3_X16,
    source: 'smi 15360 MiB [M]; 320 GB/s, 65 FP16/FP32 mixed-precision TFLOPS (T4 datasheet) [V]',
  },
  {
    id: 'v100-sxm2-32gb',
    name: 'NVIDIA V100 SXM2 32GB',
    aliases: ['Tesla V100-SXM2-32GB', 'V100 32GB'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 32510 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 900,
    fp16Tflops: 125,
    interconnect: NVLINK2,
    source:
      'smi 32510 MiB [M] (other drivers show 32768; the smaller is kept); 900 GB/s, 125 tensor ' +
      'TFLOPS, NVLink 300 GB/s (V100 datasheet) [V]',
  },
  {
    id: 'a10',
    name: 'NVIDIA A10',
    aliases: ['A10'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 23028 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 600,
    fp16Tflops: 125,
    interconnect: PCIE4_X16,
    source: 'smi 23028 MiB [M]; 600 GB/s, FP16 tensor 125 dense (A10 datasheet) [V]',
  },
  {
    id: 'a10g',
    name: 'NVIDIA A10G',
    aliases: ['A10G', 'AWS A10G'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 23028 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 600,
    fp16Tflops: 125,
    interconnect: PCIE4_X16,
    source:
      'smi 23028 MiB [M]; 600 GB/s [V]; no published tensor rate: A10 datasheet 125 kept as ' +
      'an upper bound, Baseten reports the A10G lower (cluster.md §4.1) [U]',
  },
  {
    id: 'l4',
    name: 'NVIDIA L4',
    aliases: ['L4'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 23034 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 300,
    fp16Tflops: 121,
    interconnect: PCIE4_X16,
    source: 'smi 23034 MiB (cluster.md §3.1) [M]; 300 GB/s, FP16 121 dense (L4 datasheet) [V]',
  },
  {
    id: 'l40',
    name: 'NVIDIA L40',
    aliases: ['L40'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 46068 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 864,
    fp16Tflops: 181.05,
    interconnect: PCIE4_X16,
    source: 'smi 46068 MiB [M]; 864 GB/s, BF16 181.05 dense (L40 datasheet) [V]',
  },
  {
    id: 'l40s',
    name: 'NVIDIA L40S',
    aliases: ['L40S'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 46068 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 864,
    fp16Tflops: 362,
    interconnect: PCIE4_X16,
    source: 'smi 46068 MiB (cluster.md §3.1) [M]; 864 GB/s, FP16 362 dense (L40S datasheet) [V]',
  },
  {
    id: 'a40',
    name: 'NVIDIA A40',
    aliases: ['A40'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 46068 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 696,
    fp16Tflops: 149.7,
    interconnect: PCIE4_X16,
    source: 'smi 46068 MiB [M]; 696 GB/s, FP16 tensor 149.7 dense (A40 datasheet) [V]',
  },
  {
    id: 'a100-40gb-sxm',
    name: 'NVIDIA A100 40GB SXM',
    aliases: ['NVIDIA A100-SXM4-40GB', 'A100-SXM4-40GB', 'A100 40GB SXM4'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 40960 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1555,
    fp16Tflops: 312,
    interconnect: NVLINK3,
    source: 'smi 40960 MiB (cluster.md §3.1) [M]; 1555 GB/s, 312 TFLOPS (A100 datasheet) [V]',
  },
  {
    id: 'a100-40gb-pcie',
    name: 'NVIDIA A100 40GB PCIe',
    aliases: ['NVIDIA A100-PCIE-40GB', 'A100-PCIE-40GB'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 40960 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1555,
    fp16Tflops: 312,
    interconnect: PCIE4_X16,
    source:
      'smi 40960 MiB [M]; 1555 GB/s, 312 TFLOPS (A100 datasheet) [V]; pairs may add a ' +
      '600 GB/s NVLink bridge',
  },
  {
    id: 'a100-80gb-sxm',
    name: 'NVIDIA A100 80GB SXM',
    aliases: ['NVIDIA A100-SXM4-80GB', 'A100-SXM4-80GB', 'A100 80GB SXM4'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 81920 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 2039,
    fp16Tflops: 312,
    interconnect: NVLINK3,
    source: 'smi 81920 MiB (cluster.md §3.1) [M]; 2039 GB/s, 312 TFLOPS (A100 datasheet) [V]',
  },
  {
    id: 'a100-80gb-pcie',
    name: 'NVIDIA A100 80GB PCIe',
    aliases: ['A100 80GB PCIe'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 81920 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 1935,
    fp16Tflops: 312,
    interconnect: PCIE4_X16,
    source:
      'smi 81920 MiB [M]; 1935 GB/s, 312 TFLOPS (A100 datasheet) [V]; pairs may add a ' +
      '600 GB/s NVLink bridge',
  },
  {
    id: 'h100-sxm',
    name: 'NVIDIA H100 SXM',
    aliases: ['NVIDIA H100 80GB HBM3', 'H100 80GB HBM3', 'H100 SXM5'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 81559 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 3350,
    fp16Tflops: 989,
    interconnect: NVLINK4,
    source:
      'smi 81559 MiB (cluster.md §3.1) [M]; 3350 GB/s, 989 dense TFLOPS, NVLink 900 GB/s ' +
      '(H100 datasheet) [V]',
  },
  {
    id: 'h100-pcie',
    name: 'NVIDIA H100 PCIe',
    aliases: ['H100 PCIe'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 81559 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 2000,
    fp16Tflops: 756,
    interconnect: PCIE5_X16,
    source: 'smi 81559 MiB [M]; 2000 GB/s, 756 dense TFLOPS (H100 datasheet) [V]',
  },
  {
    id: 'h100-nvl',
    name: 'NVIDIA H100 NVL',
    aliases: ['H100 NVL'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 95830 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 3900,
    fp16Tflops: 835.5,
    interconnect: NVLINK4_BRIDGE,
    source:
      'smi 95830 MiB [M]; 3900 GB/s, 1671 sparse / 2 TFLOPS [D], NVLink bridge 600 GB/s ' +
      '(H100 NVL datasheet) [V]',
  },
  {
    id: 'h200',
    name: 'NVIDIA H200',
    aliases: ['H200', 'H200 SXM'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 143771 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 4800,
    fp16Tflops: 989,
    interconnect: NVLINK4,
    source:
      'smi 143771 MiB (cluster.md §3.1) [M]; 4800 GB/s, 989 TFLOPS, NVLink 900 GB/s ' +
      '(H200 datasheet) [V]',
  },
  {
    id: 'b200',
    name: 'NVIDIA B200',
    aliases: ['B200', 'HGX B200'],
    vendor: 'nvidia',
    kind: 'datacenter-gpu',
    memoryBytes: 183359 * MIB_BYTES,
    usableMemoryShare: 1,
    bandwidthGBs: 8000,
    fp16Tflops: 2250,
    interconnect: NVLINK5,
    source:
      'smi 183359 MiB [M]; HGX B200 64 TB/s / 8 = 8000 GB/s and 36 PF BF16 sparse / 8 / 2 = ' +
      '2250 TFLOPS [V->D] (cluster.md §4.1); NVLink 5 1800 GB/s [V]',
  },
];

/** Every NVIDIA row, consumer first. */
export const NVIDIA_DEVICES: readonly DeviceSpec[] = [...GEFORCE, ...WORKSTATION, ...DATACENTRE];
