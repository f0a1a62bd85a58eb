// The link a tensor-parallel all-reduce crosses: the GPU link, the host PCIe, or the network.

import type { DeviceSpec, Interconnect } from './types.ts';

/** GPUs one host holds: an HGX/OAM board or a server's eight double-width slots. */
export const GPUS_PER_HOST = 8;

/**
 * Fixed cost of one all-reduce inside a host (kernel launch and link latency), seconds; a
 * planning constant of the order nccl-tests report for small messages on NVLink.
 */
export const IN_HOST_ALL_REDUCE_SECONDS = 10e-6;

/**
 * The network between hosts, per GPU: one 400 Gb/s InfiniBand NDR (or RoCE) NIC per GPU, as
 * DGX H100 wires eight ConnectX-7 for eight GPUs: 50 GB/s each way, 100 GB/s both ways in the
 * datasheet convention `Interconnect.bandwidthGBs` uses.
 */
export const NETWORK_LINK: Interconnect = {
  kind: 'network',
  generation: 'InfiniBand NDR 400 Gb/s, one NIC per GPU',
  bandwidthGBs: 100,
};

/**
 * Fixed cost of one all-reduce across hosts, seconds: 40 us, an estimate between the 19-20 us
 * nccl-tests shows for 8 B over two nodes with one GPU each (nccl-tests #150, HDR) and the
 * 62 us reported for 128 B over two 8-GPU H100 nodes (NCCL #1453); more ranks add ring steps.
 */
export const NETWORK_ALL_REDUCE_SECONDS = 40e-6;

/** Where no GPU link is catalogued (Apple, CPU hosts, custom rows): PCIe 3.0 x16 assumed. */
const FALLBACK_LINK: Interconnect = {
  kind: 'pcie',
  generation: 'PCIe 3.0 x16 (no GPU link catalogued)',
  bandwidthGBs: 32,
};

/** The link a tensor-parallel group of a given size uses, and how far it reaches. */
export interface TensorParallelLink {
  link: Interconnect;
  /** Fixed cost of one all-reduce on it, seconds. */
  allReduceSeconds: number;
  /** `domain`: all GPUs on the device's own link; `host`: the host's PCIe; `network`: hosts. */
  scope: 'domain' | 'host' | 'network';
}

/**
 * The slowest link a ring all-reduce over `gpus` devices crosses: the device's own link while
 * the group fits its domain (`Interconnect.domainGpus`, 8 when absent), the host's PCIe for
 * bridged cards within one host, else the network between hosts (`NETWORK_LINK`).
 */
export function tensorParallelLink(device: DeviceSpec, gpus: number): TensorParallelLink {
  const link = device.interconnect ?? FALLBACK_LINK;
  const domain = link.domainGpus ?? GPUS_PER_HOST;
  if (gpus <= domain) {
    return { link, allReduceSeconds: IN_HOST_ALL_REDUCE_SECONDS, scope: 'domain' };
  }
  if (gpus <= GPUS_PER_HOST && link.hostLink) {
    return { link: link.hostLink, allReduceSeconds: IN_HOST_ALL_REDUCE_SECONDS, scope: 'host' };
  }
  const bandwidthGBs = Math.min(link.bandwidthGBs, NETWORK_LINK.bandwidthGBs);
  return {
    link: { ...NETWORK_LINK, bandwidthGBs },
    allReduceSeconds: NETWORK_ALL_REDUCE_SECONDS,
    scope: 'network',
  };
}
