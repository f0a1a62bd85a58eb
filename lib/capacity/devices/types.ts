// Shapes of the device catalogue: one accelerator (or CPU host) with its memory, speed and links.

/** Who makes the part; CPU-only hosts are `cpu` whoever made the processor. */
export type DeviceVendor = 'nvidia' | 'amd' | 'apple' | 'intel' | 'cpu';

/**
 * Device class. It decides the fitted per-token overhead and prefill efficiency in
 * `throughput.ts`: consumer and workstation cards are `discrete-gpu`; server parts are
 * `datacenter-gpu`; Apple Silicon (GPU sharing the host's RAM) is `unified-memory`.
 */
export type DeviceKind = 'discrete-gpu' | 'datacenter-gpu' | 'unified-memory' | 'cpu';

/** The link GPUs use to reach each other: inside one host, or the network between hosts. */
export type InterconnectKind = 'nvlink' | 'pcie' | 'infinity-fabric' | 'network';

/**
 * A GPU-to-GPU link. `bandwidthGBs` is the per-GPU total of both directions as vendor
 * datasheets print it (GB/s, 10^9 bytes): NVLink 4 = 900, PCIe 4.0 x16 = 64. One direction
 * carries half of it.
 */
export interface Interconnect {
  readonly kind: InterconnectKind;
  /** Generation and width in words, e.g. `NVLink 4` or `PCIe 4.0 x16`. */
  readonly generation: string;
  readonly bandwidthGBs: number;
  /**
   * GPUs this link joins all-to-all: 8 on an HGX/OAM board (NVSwitch, Infinity Fabric), 2 for
   * an NVLink bridge pair, 4 for an Infinity Fabric bridge; absent means a host's 8 slots.
   * Tensor parallelism beyond it takes `hostLink` inside the host, else the network.
   */
  readonly domainGpus?: number;
  /** The host's PCIe link, for bridged cards whose bridge joins fewer GPUs than a host holds. */
  readonly hostLink?: Interconnect;
}

/** One accelerator (or CPU host) of the catalogue. */
export interface DeviceSpec {
  /** Kebab-case key, e.g. `rtx-4090`, `h100-sxm`, `m2-max-64gb`. */
  readonly id: string;
  readonly name: string;
  /** Other names people or tools use (nvidia-smi product names, short names). */
  readonly aliases: readonly string[];
  readonly vendor: DeviceVendor;
  readonly kind: DeviceKind;
  /** Memory the device has, in bytes (what nvidia-smi or rocm-smi reports where known). */
  readonly memoryBytes: number;
  /**
   * Share of `memoryBytes` the GPU may use: 1 for discrete GPUs; Metal's
   * recommendedMaxWorkingSetSize / RAM on Apple Silicon (cluster.md §3.3).
   */
  readonly usableMemoryShare: number;
  /** Peak memory bandwidth, GB/s (10^9 bytes per second). */
  readonly bandwidthGBs: number;
  /** Dense FP16/BF16 matrix throughput, TFLOPS (10^12 FLOP/s), no sparsity. */
  readonly fp16Tflops: number;
  /** GPU-to-GPU link, or null where the device has none (Apple Silicon, CPU hosts). */
  readonly interconnect: Interconnect | null;
  /** Where each number comes from: datasheet, measurement, or the arithmetic of a derivation. */
  readonly source: string;
}
