// Mamba-1 and Mamba-2 mixers: their fixed per-sequence state and their weight tensors.

import type { RecurrentMixer, TensorSpec } from '../../spec.ts';
import { linearTensors, normTensors, tensor } from '../../tensors.ts';
import type { ConfigKeys, ConfigReader } from '../reader.ts';

/** Sizes of a Mamba-1 mixer (selective scan with a per-channel state). */
export interface Mamba1Dims {
  /** Channels of the inner stream (`intermediate_size` = expand x hidden). */
  innerSize: number;
  /** State size per channel (`state_size`, `mamba_d_state`). */
  stateSize: number;
  /** Width of the causal depthwise convolution (`conv_kernel`, `mamba_d_conv`). */
  convKernel: number;
  /** Rank of the time-step projection (`time_step_rank`, `mamba_dt_rank`). */
  dtRank: number;
}

/** Sizes of a Mamba-2 mixer (SSD: scalar decay per head, grouped B and C). */
export interface Mamba2Dims {
  /** Channels of the inner stream = heads x head dim. */
  innerSize: number;
  heads: number;
  headDim: number;
  /** Groups sharing one B and one C projection (`n_groups`). */
  groups: number;
  stateSize: number;
  convKernel: number;
}

/**
 * Mamba-1 state per sequence and layer: SSM state innerSize x stateSize and the conv window
 * (convKernel - 1) x innerSize elements. Source: vLLM `mamba1_state_shape`, capacity.md 3.1
 * (mamba-2.8b: 5120 x 16 + 3 x 5120 = 97,280 per layer).
 */
export function mamba1Mixer(dims: Mamba1Dims): RecurrentMixer {
  return {
    kind: 'recurrent',
    variant: 'mamba1',
    stateElements: dims.innerSize * dims.stateSize,
    convElements: (dims.convKernel - 1) * dims.innerSize,
  };
}

/**
 * Mamba-2 state per sequence and layer: heads x headDim x stateSize, and the conv window over
 * x, B and C: (convKernel - 1) x (innerSize + 2 x groups x stateSize) elements. Source: vLLM
 * `mamba2_state_shape`, capacity.md 3.1.
 */
export function mamba2Mixer(dims: Mamba2Dims): RecurrentMixer {
  return {
    kind: 'recurrent',
    variant: 'mamba2',
    stateElements: dims.heads * dims.headDim * dims.stateSize,
    convElements: (dims.convKernel - 1) * (dims.innerSize + 2 * dims.groups * dims.stateSize),
  };
}

/** Where a Mamba mixer's weights live and which optional parts it has. */
export interface MambaWeights {
  /** Name prefix, e.g. `backbone.layers.0.mixer`. */
  prefix: string;
  layer: number;
  hiddenSize: number;
  /** Bias on in_proj and out_proj (`use_bias`, `mamba_proj_bias`). */
  projBias: boolean;
  /** Bias on the depthwise convolution (`use_conv_bias`, `mamba_conv_bias`). */
  convBias: boolean;
}

function convTensors(weights: MambaWeights, channels: number, kernel: number): TensorSpec[] {
  const { prefix, layer } = weights;
  const conv = [
    tensor({
      name: `${prefix}.conv1d.weight`,
      shape: [channels, 1, kernel],
      group: 'ssm',
      role: 'ssm_conv',
      layer,
    }),
  ];
  if (!weights.convBias) return conv;
  return [
    ...conv,
    tensor({ name: `${prefix}.conv1d.bias`, shape: [channels], group: 'ssm', role: 'bias', layer }),
  ];
}

function projection(
  weights: MambaWeights,
  name: string,
  outFeatures: number,
  inFeatures: number,
  role: 'ssm_in' | 'ssm_out',
): TensorSpec[] {
  return linearTensors({
    name: `${weights.prefix}.${name}`,
    outFeatures,
    inFeatures,
    bias: weights.projBias,
    group: 'ssm',
    role,
    layer: weights.layer,
  });
}

/**
 * Mamba-1 mixer weights (transformers `MambaMixer`): in_proj [2 x inner, hidden], conv1d
 * [inner, 1, kernel], x_proj [dtRank + 2 x state, inner], dt_proj [inner, dtRank] with bias,
 * A_log [inner, state], D [inner], out_proj [hidden, inner]. `dtNorms` adds Jamba's RMS norms on
 * dt [dtRank], B and C [state].
 */
export function mamba1Tensors(
  weights: MambaWeights,
  dims: Mamba1Dims,
  dtNorms = false,
): TensorSpec[] {
  const { prefix, layer, hiddenSize } = weights;
  const { innerSize, stateSize, dtRank } = dims;
  const ssm = { group: 'ssm' as const, layer };
  const tensors: TensorSpec[] = [
    ...projection(weights, 'in_proj', 2 * innerSize, hiddenSize, 'ssm_in'),
    ...convTensors(weights, innerSize, dims.convKernel),
    ...linearTensors({
      ...ssm,
      name: `${prefix}.x_proj`,
      outFeatures: dtRank + 2 * stateSize,
      inFeatures: innerSize,
      bias: false,
      role: 'ssm_x',
    }),
    ...linearTensors({
      ...ssm,
      name: `${prefix}.dt_proj`,
      outFeatures: innerSize,
      inFeatures: dtRank,
      bias: true,
      role: 'ssm_dt',
    }),
    tensor({ ...ssm, name: `${prefix}.A_log`, shape: [innerSize, stateSize], role: 'ssm_a' }),
    tensor({ ...ssm, name: `${prefix}.D`, shape: [innerSize], role: 'ssm_d' }),
    ...projection(weights, 'out_proj', hiddenSize, innerSize, 'ssm_out'),
  ];
  if (!dtNorms) return tensors;
  return [
    ...tensors,
    ...normTensors(`${prefix}.dt_layernorm`, dtRank, layer),
    ...normTensors(`${prefix}.b_layernorm`, stateSize, layer),
    ...normTensors(`${prefix}.c_layernorm`, stateSize, layer),
  ];
}

/**
 * Mamba-2 mixer weights (transformers `Mamba2Mixer`, Nemotron-H's mixer): in_proj
 * [2 x inner + 2 x groups x state + heads, hidden] (z, x, B, C, dt), conv1d over x, B and C
 * [inner + 2 x groups x state, 1, kernel], dt_bias, A_log and D [heads], the gated RMS norm
 * [inner], out_proj [hidden, inner].
 */
export function mamba2Tensors(weights: MambaWeights, dims: Mamba2Dims): TensorSpec[] {
  const { prefix, layer, hiddenSize } = weights;
  const { innerSize, heads, groups, stateSize } = dims;
  const ssm = { group: 'ssm' as const, layer, shape: [heads] };
  const groupedState = 2 * groups * stateSize;
  return [
    ...projection(weights, 'in_proj', 2 * innerSize + groupedState + heads, hiddenSize, 'ssm_in'),
    ...convTensors(weights, innerSize + groupedState, dims.convKernel),
    tensor({ ...ssm, name: `${prefix}.dt_bias`, role: 'ssm_dt' }),
    tensor({ ...ssm, name: `${prefix}.A_log`, role: 'ssm_a' }),
    tensor({ ...ssm, name: `${prefix}.D`, role: 'ssm_d' }),
    ...normTensors(`${prefix}.norm`, innerSize, layer),
    ...projection(weights, 'out_proj', hiddenSize, innerSize, 'ssm_out'),
  ];
}

/**
 * Reads a time-step rank that may be the string "auto", which transformers' Mamba and Jamba
 * configs turn into ceil(hidden / 16).
 */
export function readDtRank(config: ConfigReader, keys: ConfigKeys, hiddenSize: number): number {
  if (config.value(keys) === 'auto') return Math.ceil(hiddenSize / 16);
  return config.int(keys);
}

/**
 * Checks that heads x headDim equals the inner size stated by `expand` x hidden; a mismatch
 * would size the state and the projections differently.
 */
export function checkMamba2Inner(
  config: ConfigReader,
  dims: Mamba2Dims,
  keys: { heads: string; headDim: string; expand: string },
): void {
  if (dims.heads * dims.headDim === dims.innerSize) return;
  config.contradiction(
    [keys.heads, keys.headDim, keys.expand],
    `${dims.heads} heads x ${dims.headDim} head dim differs from the inner size ${dims.innerSize}`,
    'heads x head dim equal to expand x hidden size',
  );
}

/** Throws unless `groups` divides `heads` (each group of heads shares one B and one C). */
export function checkMamba2Groups(config: ConfigReader, dims: Mamba2Dims, keys: string[]): void {
  if (dims.heads % dims.groups === 0) return;
  config.contradiction(
    keys,
    `${dims.heads} heads cannot be split into ${dims.groups} groups`,
    'a head count divisible by n_groups',
  );
}
