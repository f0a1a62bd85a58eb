// Shapes of a probed machine: its host, each accelerator, and what could not be read.

/** The tool a device's numbers came from. */
export type ProbeSource =
  | 'nvidia-smi'
  | 'amd-smi'
  | 'rocm-smi'
  | 'system_profiler'
  | 'proc-meminfo'
  | 'sysctl'
  | 'systeminformation';

/** Code of a remark about a probe; the UI owns the wording. */
export type ProbeWarningCode =
  | 'tool_failed'
  | 'unparsable_output'
  | 'field_unavailable'
  | 'not_in_catalogue'
  | 'catalogue_memory_differs'
  | 'memory_from_host'
  | 'mig_enabled'
  | 'working_set_estimated';

/** A non-fatal remark: what went wrong where, with the numbers behind it. */
export interface ProbeWarning {
  code: ProbeWarningCode;
  source: ProbeSource;
  message: string;
  data?: Record<string, number | string | boolean>;
}

/** One MIG slice of an NVIDIA GPU (`nvidia-smi -L`). */
export interface MigInstance {
  /** Profile name, e.g. `3g.40gb` (compute slices . memory in GB as NVIDIA labels it). */
  profile: string;
  uuid: string | null;
}

/** One accelerator as the probes saw it; null where the tool did not say. */
export interface ProbedDevice {
  vendor: 'nvidia' | 'amd' | 'apple';
  /** The tool's own index of the device on this machine. */
  index: number;
  /** Product name as the tool prints it (`NVIDIA GeForce RTX 4090`). */
  name: string;
  uuid: string | null;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  memoryFreeBytes: number | null;
  /**
   * Bytes a model may use on it: the total on discrete GPUs; on Apple Silicon Metal's working
   * set (`iogpu.wired_limit_mb` when set, otherwise the catalogue's share of RAM).
   */
  usableMemoryBytes: number | null;
  /** Whether the GPU shares the host's RAM (Apple Silicon, GB10). */
  unifiedMemory: boolean;
  utilizationPercent: number | null;
  powerWatts: number | null;
  temperatureC: number | null;
  pcieGeneration: number | null;
  gpuCores: number | null;
  /** Whether MIG mode is on (NVIDIA A100/H100 class); engines then see slices. */
  migEnabled: boolean;
  /** MIG slices when MIG mode is on; empty otherwise. */
  migInstances: MigInstance[];
  /** Catalogue id matched on the product name, or null when the catalogue has no such row. */
  catalogueId: string | null;
  source: ProbeSource;
}

/** The machine itself: CPU and RAM. */
export interface HostInfo {
  hostname: string;
  platform: string;
  arch: string;
  cpuModel: string | null;
  /** Logical CPUs the OS schedules on. */
  cpuThreads: number | null;
  cpuPhysicalCores: number | null;
  memoryTotalBytes: number | null;
  /** `MemAvailable` on Linux: what can be allocated without swapping. */
  memoryAvailableBytes: number | null;
  source: ProbeSource;
}

/** One normalised inventory of a machine, as the agent streams it. */
export interface DeviceInventory {
  host: HostInfo;
  devices: ProbedDevice[];
  warnings: ProbeWarning[];
  capturedAtMs: number;
}

/** What one vendor probe returns: the devices it found and its remarks. */
export interface VendorProbeResult {
  devices: ProbedDevice[];
  warnings: ProbeWarning[];
}

/** Bytes in one MiB (2^20), the unit nvidia-smi and amd-smi print memory in. */
export const MIB_BYTES = 2 ** 20;

/** Bytes in one KiB (2^10), the unit /proc/meminfo prints (as `kB`). */
export const KIB_BYTES = 2 ** 10;
