// Vision towers of multimodal configs (SigLIP for Gemma 3, Qwen3-VL's ViT), counted as `vision`.

import type { CapacityWarning } from '../../errors.ts';
import type { TensorSpec } from '../../spec.ts';
import { inGroup, linearTensors, normTensors, tensor } from '../../tensors.ts';
import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';

/** A tower's tensors, or the `vision_config` fields that were missing to build it. */
export type VisionTower = { tensors: TensorSpec[] } | { missing: string[] };

/** A vision-tower builder over the reader of `vision_config`. */
export type VisionBuilder = (vision: ConfigReader) => VisionTower;

/** Weight and bias of a linear layer outside the decoder stack (group `vision`). */
function visionLinear(name: string, outFeatures: number, inFeatures: number): TensorSpec[] {
  return linearTensors({
    name,
    outFeatures,
    inFeatures,
    bias: true,
    group: 'vision',
    role: 'other',
    layer: null,
  });
}

function visionNorm(name: string, size: number): TensorSpec[] {
  return inGroup(normTensors(name, size, null, true), 'vision');
}

/**
 * Appends the tower built from `vision_config` to a text family's tensors. Without enough
 * fields to build it, the spec stays text-only with a `vision_tower_estimated` warning that
 * names the missing fields.
 */
export function withVisionTower(
  family: FamilySpec,
  root: ConfigReader,
  build: VisionBuilder,
): FamilySpec {
  const vision = root.child('vision_config');
  if (vision === null) return family;

  const tower = build(vision);
  if ('tensors' in tower) return { ...family, tensors: [...family.tensors, ...tower.tensors] };

  const warning: CapacityWarning = {
    code: 'vision_tower_estimated',
    message: `vision tower not counted: ${tower.missing.join(', ')} missing`,
    data: { counted: false },
  };
  return { ...family, warnings: [...family.warnings, warning] };
}

/** Transformer blocks of a ViT: two LayerNorms, attention and a plain MLP, all with biases. */
function vitBlock(
  prefix: string,
  hidden: number,
  inter: number,
  names: { norms: [string, string]; attention: string[]; mlp: [string, string] },
): TensorSpec[] {
  const [fc1, fc2] = names.mlp;
  return [
    ...visionNorm(`${prefix}.${names.norms[0]}`, hidden),
    ...visionNorm(`${prefix}.${names.norms[1]}`, hidden),
    ...names.attention.flatMap((name) => visionLinear(`${prefix}.${name}`, hidden, hidden)),
    ...visionLinear(`${prefix}.${fc1}`, inter, hidden),
    ...visionLinear(`${prefix}.${fc2}`, hidden, inter),
  ];
}

const SIGLIP_FIELDS = [
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'image_size',
  'patch_size',
];

/**
 * SigLIP vision model (transformers' SiglipVisionModel): Conv2d patch embedding with bias,
 * learned positions `[(image / patch)^2, hidden]`, ViT blocks, post LayerNorm and, when
 * `vision_use_head` (default true), the attention-pooling head. With `textHiddenSize`, Gemma 3's
 * projector `[vision hidden, text hidden]` and its RMS norm. Gemma-3 (27 layers of 1152, 896 px,
 * patch 14): 423,060,336 parameters.
 */
export function siglipVisionTower(
  vision: ConfigReader,
  options: { prefix: string; textHiddenSize?: number },
): VisionTower {
  const missing = vision.missing(SIGLIP_FIELDS);
  if (missing.length > 0) return { missing };

  const hidden = vision.int('hidden_size');
  const inter = vision.int('intermediate_size');
  const channels = vision.intOr('num_channels', 3);
  const patch = vision.int('patch_size');
  const image = vision.int('image_size');
  if (image % patch !== 0) {
    vision.contradiction(
      ['image_size', 'patch_size'],
      `image size ${image} is not a multiple of patch size ${patch}`,
      'an image size divisible by the patch size',
    );
  }

  const { prefix } = options;
  const tensors: TensorSpec[] = [
    tensor({
      name: `${prefix}.embeddings.patch_embedding.weight`,
      shape: [hidden, channels, patch, patch],
      group: 'vision',
      role: 'other',
    }),
    tensor({
      name: `${prefix}.embeddings.patch_embedding.bias`,
      shape: [hidden],
      group: 'vision',
      role: 'bias',
    }),
    tensor({
      name: `${prefix}.embeddings.position_embedding.weight`,
      shape: [(image / patch) ** 2, hidden],
      group: 'vision',
      role: 'other',
    }),
  ];
  for (let layer = 0; layer < vision.int('num_hidden_layers'); layer += 1) {
    tensors.push(
      ...vitBlock(`${prefix}.encoder.layers.${layer}`, hidden, inter, {
        norms: ['layer_norm1', 'layer_norm2'],
        attention: [
          'self_attn.q_proj',
          'self_attn.k_proj',
          'self_attn.v_proj',
          'self_attn.out_proj',
        ],
        mlp: ['mlp.fc1', 'mlp.fc2'],
      }),
    );
  }
  tensors.push(...visionNorm(`${prefix}.post_layernorm`, hidden));

  if (vision.boolOr('vision_use_head', true))
    tensors.push(...siglipHead(`${prefix}.head`, hidden, inter));
  if (options.textHiddenSize !== undefined) {
    tensors.push(...gemma3Projector(hidden, options.textHiddenSize));
  }
  return { tensors };
}

/** SigLIP's attention-pooling head: probe, multi-head attention, LayerNorm and MLP. */
function siglipHead(prefix: string, hidden: number, inter: number): TensorSpec[] {
  return [
    tensor({ name: `${prefix}.probe`, shape: [1, 1, hidden], group: 'vision', role: 'other' }),
    ...visionLinear(`${prefix}.attention.in_proj`, 3 * hidden, hidden),
    ...visionLinear(`${prefix}.attention.out_proj`, hidden, hidden),
    ...visionNorm(`${prefix}.layernorm`, hidden),
    ...visionLinear(`${prefix}.mlp.fc1`, inter, hidden),
    ...visionLinear(`${prefix}.mlp.fc2`, hidden, inter),
  ];
}

function gemma3Projector(visionHidden: number, textHidden: number): TensorSpec[] {
  return [
    tensor({
      name: 'multi_modal_projector.mm_input_projection_weight',
      shape: [visionHidden, textHidden],
      group: 'vision',
      role: 'other',
    }),
    tensor({
      name: 'multi_modal_projector.mm_soft_emb_norm.weight',
      shape: [visionHidden],
      group: 'vision',
      role: 'norm',
    }),
  ];
}

const QWEN3_VL_FIELDS = [
  'hidden_size',
  'intermediate_size',
  'depth',
  'patch_size',
  'temporal_patch_size',
  'spatial_merge_size',
  'out_hidden_size',
  'num_position_embeddings',
];

/** A Qwen3-VL patch merger: LayerNorm, then two linears of the merged width, then out. */
function qwen3VlMerger(prefix: string, hidden: number, merged: number, out: number, post: boolean) {
  return [
    ...visionNorm(`${prefix}.norm`, post ? merged : hidden),
    ...visionLinear(`${prefix}.linear_fc1`, merged, merged),
    ...visionLinear(`${prefix}.linear_fc2`, out, merged),
  ];
}

/**
 * Qwen3-VL vision tower (transformers' Qwen3VLVisionModel): Conv3d patch embedding
 * `[hidden, channels, temporal patch, patch, patch]` with bias, learned positions, `depth` ViT
 * blocks (fused qkv), the patch merger (width hidden x merge^2) and one deepstack merger per
 * `deepstack_visual_indexes` entry (LayerNorm over the merged width). Qwen3-VL-8B:
 * 576,388,336 parameters (8,767,123,696 with the text model).
 */
export function qwen3VlVisionTower(vision: ConfigReader): VisionTower {
  const missing = vision.missing(QWEN3_VL_FIELDS);
  if (missing.length > 0) return { missing };

  const hidden = vision.int('hidden_size');
  const inter = vision.int('intermediate_size');
  const patch = vision.int('patch_size');
  const merged = hidden * vision.int('spatial_merge_size') ** 2;
  const out = vision.int('out_hidden_size');
  const deepstack = vision.optIntArray('deepstack_visual_indexes', { min: 0 }) ?? [];
  const tensors: TensorSpec[] = [
    tensor({
      name: 'visual.patch_embed.proj.weight',
      shape: [
        hidden,
        vision.intOr('in_channels', 3),
        vision.int('temporal_patch_size'),
        patch,
        patch,
      ],
      group: 'vision',
      role: 'other',
    }),
    tensor({
      name: 'visual.patch_embed.proj.bias',
      shape: [hidden],
      group: 'vision',
      role: 'bias',
    }),
    tensor({
      name: 'visual.pos_embed.weight',
      shape: [vision.int('num_position_embeddings'), hidden],
      group: 'vision',
      role: 'other',
    }),
  ];

  for (let block = 0; block < vision.int('depth'); block += 1) {
    const prefix = `visual.blocks.${block}`;
    tensors.push(
      ...visionNorm(`${prefix}.norm1`, hidden),
      ...visionNorm(`${prefix}.norm2`, hidden),
      ...visionLinear(`${prefix}.attn.qkv`, 3 * hidden, hidden),
      ...visionLinear(`${prefix}.attn.proj`, hidden, hidden),
      ...visionLinear(`${prefix}.mlp.linear_fc1`, inter, hidden),
      ...visionLinear(`${prefix}.mlp.linear_fc2`, hidden, inter),
    );
  }

  tensors.push(...qwen3VlMerger('visual.merger', hidden, merged, out, false));
  deepstack.forEach((_, index) => {
    tensors.push(
      ...qwen3VlMerger(`visual.deepstack_merger_list.${index}`, hidden, merged, out, true),
    );
  });
  return { tensors };
}
