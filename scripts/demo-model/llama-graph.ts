// The tiny Llama-architecture decoder as an ONNX graph: GQA, rotary embeddings, past/present KV.

import { GraphBuilder, ONNX_FLOAT, ONNX_INT64 } from './onnx-graph.ts';

/** Shape of the generated model; every size is a count (tokens, heads, elements). */
export interface DemoModelShape {
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediateSize: number;
  ropeTheta: number;
  rmsNormEps: number;
  /** Token ids whose output-head rows are zero, so greedy decoding never picks them. */
  silencedTokenIds: readonly number[];
  /** Seed of the weight generator; the same seed gives the same bytes. */
  seed: number;
}

/** Uniform values in [-1, 1) from mulberry32, a 32-bit seeded generator (deterministic). */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

/** Random fp32 weights, with standard deviation `std` (uniform, so bound = std * sqrt(3)). */
function randomWeights(next: () => number, count: number, std: number): Float32Array {
  const values = new Float32Array(count);
  const bound = std * Math.sqrt(3);
  for (let index = 0; index < count; index += 1) values[index] = next() * bound;
  return values;
}

/**
 * Builds the decoder graph. Inputs: `input_ids` and `position_ids` [batch_size, sequence_length],
 * `attention_mask` [batch_size, total_sequence_length] (int64) and, per layer,
 * `past_key_values.<i>.key|value` [batch_size, kvHeads, past_sequence_length, headDim] (f32).
 * Outputs: `logits` [batch_size, sequence_length, vocab] and `present.<i>.key|value`.
 * Linear weights are stored [in, out] so that they feed MatMul directly; every weight is an
 * initializer and every other constant a Constant node, so initializer bytes are weight bytes.
 */
export function buildLlamaGraph(shape: DemoModelShape): Uint8Array {
  const g = new GraphBuilder();
  const next = seededUniform(shape.seed);
  const { hiddenSize: hidden, heads, kvHeads, headDim, vocabSize: vocab } = shape;
  const kvDims = ['batch_size', kvHeads, 'past_sequence_length', headDim];
  const presentDims = ['batch_size', kvHeads, 'total_sequence_length', headDim];

  const inputIds = g.input('input_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', ONNX_INT64, ['batch_size', 'total_sequence_length']);
  const positions = g.input('position_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  const pasts: { key: string; value: string }[] = [];
  for (let layer = 0; layer < shape.layers; layer += 1) {
    pasts.push({
      key: g.input(`past_key_values.${layer}.key`, ONNX_FLOAT, kvDims),
      value: g.input(`past_key_values.${layer}.value`, ONNX_FLOAT, kvDims),
    });
  }

  const embedding = g.weight(
    'model.embed_tokens.weight',
    [vocab, hidden],
    randomWeights(next, vocab * hidden, 1),
  );
  let x = g.node('Gather', [embedding, inputIds], { axis: 0 });

  const additiveMask = causalMask(g, inputIds, mask);
  const rope = rotaryTables(g, positions, headDim, shape.ropeTheta);
  const linear = (input: string, name: string, inSize: number, outSize: number, std: number) =>
    g.node('MatMul', [
      input,
      g.weight(name, [inSize, outSize], randomWeights(next, inSize * outSize, std)),
    ]);
  const rmsNorm = (input: string, name: string) => {
    const squared = g.node('Mul', [input, input]);
    const meanSquare = g.node('ReduceMean', [squared], { axes: [-1], keepdims: 1 });
    const eps = g.float([shape.rmsNormEps], []);
    const rms = g.node('Sqrt', [g.node('Add', [meanSquare, eps])]);
    const weight = g.weight(name, [hidden], new Float32Array(hidden).fill(1));
    return g.node('Mul', [g.node('Div', [input, rms]), weight]);
  };

  const projectionStd = 1 / Math.sqrt(hidden);
  for (let layer = 0; layer < shape.layers; layer += 1) {
    const prefix = `model.layers.${layer}`;
    const past = pasts[layer] as { key: string; value: string };

    const normed = rmsNorm(x, `${prefix}.input_layernorm.weight`);
    const q = linear(
      normed,
      `${prefix}.self_attn.q_proj.weight`,
      hidden,
      heads * headDim,
      projectionStd,
    );
    const k = linear(
      normed,
      `${prefix}.self_attn.k_proj.weight`,
      hidden,
      kvHeads * headDim,
      projectionStd,
    );
    const v = linear(
      normed,
      `${prefix}.self_attn.v_proj.weight`,
      hidden,
      kvHeads * headDim,
      projectionStd,
    );

    const qHeads = applyRope(g, toHeads(g, q, heads, headDim), rope, headDim);
    const kHeads = applyRope(g, toHeads(g, k, kvHeads, headDim), rope, headDim);
    const vHeads = toHeads(g, v, kvHeads, headDim);
    const presentKey = g.nodeN('Concat', [past.key, kHeads], 1, { axis: 2 })[0] as string;
    const presentValue = g.nodeN('Concat', [past.value, vHeads], 1, { axis: 2 })[0] as string;
    g.named('Identity', [presentKey], `present.${layer}.key`);
    g.named('Identity', [presentValue], `present.${layer}.value`);
    g.output(`present.${layer}.key`, ONNX_FLOAT, presentDims);
    g.output(`present.${layer}.value`, ONNX_FLOAT, presentDims);

    const attended = groupedAttention(g, {
      q: qHeads,
      key: presentKey,
      value: presentValue,
      mask: additiveMask,
      heads,
      kvHeads,
      headDim,
    });
    const merged = g.node('Reshape', [
      g.node('Transpose', [attended], { perm: [0, 2, 1, 3] }),
      g.int64([0, 0, heads * headDim]),
    ]);
    const attnOut = linear(
      merged,
      `${prefix}.self_attn.o_proj.weight`,
      heads * headDim,
      hidden,
      projectionStd,
    );
    x = g.node('Add', [x, attnOut]);

    const mlpIn = rmsNorm(x, `${prefix}.post_attention_layernorm.weight`);
    const inter = shape.intermediateSize;
    const gate = linear(mlpIn, `${prefix}.mlp.gate_proj.weight`, hidden, inter, projectionStd);
    const up = linear(mlpIn, `${prefix}.mlp.up_proj.weight`, hidden, inter, projectionStd);
    const silu = g.node('Mul', [gate, g.node('Sigmoid', [gate])]);
    const down = linear(
      g.node('Mul', [silu, up]),
      `${prefix}.mlp.down_proj.weight`,
      inter,
      hidden,
      1 / Math.sqrt(inter),
    );
    x = g.node('Add', [x, down]);
  }

  const finalNorm = rmsNorm(x, 'model.norm.weight');
  const head = randomWeights(next, hidden * vocab, 3 / Math.sqrt(hidden));
  for (const tokenId of shape.silencedTokenIds) {
    for (let row = 0; row < hidden; row += 1) head[row * vocab + tokenId] = 0;
  }
  g.named('MatMul', [finalNorm, g.weight('lm_head.weight', [hidden, vocab], head)], 'logits');
  g.output('logits', ONNX_FLOAT, ['batch_size', 'sequence_length', vocab]);

  return g.encode('hwledger-demo-tiny', 14);
}

/** [b, s, n*d] to [b, n, s, d]. */
function toHeads(g: GraphBuilder, input: string, count: number, headDim: number): string {
  const split = g.node('Reshape', [input, g.int64([0, 0, count, headDim])]);
  return g.node('Transpose', [split], { perm: [0, 2, 1, 3] });
}

/**
 * Additive mask [b, 1, s, T]: 0 where query i (absolute position T - s + i) may see key j,
 * -1e9 where j is in its future or attention_mask[b, j] is 0.
 */
function causalMask(g: GraphBuilder, inputIds: string, mask: string): string {
  const one = g.int64([1], []);
  const total = g.node('Gather', [g.node('Shape', [mask]), one], { axis: 0 });
  const sequence = g.node('Gather', [g.node('Shape', [inputIds]), one], { axis: 0 });
  const past = g.node('Sub', [total, sequence]);
  const keyPositions = g.node('Range', [g.int64([0], []), total, one]);
  const queryPositions = g.node('Range', [past, total, one]);
  const future = g.node('Greater', [
    g.node('Unsqueeze', [keyPositions, g.int64([0])]),
    g.node('Unsqueeze', [queryPositions, g.int64([1])]),
  ]);
  const padding = g.node('Unsqueeze', [g.node('Equal', [mask, g.int64([0], [])]), g.int64([1, 2])]);
  const blocked = g.node('Or', [future, padding]);
  return g.node('Where', [blocked, g.float([-1e9], []), g.float([0], [])]);
}

/** cos and sin tables [b, 1, s, headDim] from position_ids (Llama's default rotary embedding). */
function rotaryTables(g: GraphBuilder, positions: string, headDim: number, theta: number) {
  const half = headDim / 2;
  const inverse = Array.from({ length: half }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  const positionF = g.node('Cast', [positions], { to: ONNX_FLOAT });
  const angles = g.node('Mul', [g.node('Unsqueeze', [positionF, g.int64([-1])]), g.float(inverse)]);
  const full = g.node('Concat', [angles, angles], { axis: -1 });
  const axis1 = g.int64([1]);
  return {
    cos: g.node('Unsqueeze', [g.node('Cos', [full]), axis1]),
    sin: g.node('Unsqueeze', [g.node('Sin', [full]), axis1]),
  };
}

/** x * cos + rotate_half(x) * sin over the last axis of [b, n, s, headDim]. */
function applyRope(
  g: GraphBuilder,
  x: string,
  rope: { cos: string; sin: string },
  headDim: number,
): string {
  const half = headDim / 2;
  const axis = g.int64([3]);
  const first = g.node('Slice', [x, g.int64([0]), g.int64([half]), axis]);
  const second = g.node('Slice', [x, g.int64([half]), g.int64([headDim]), axis]);
  const rotated = g.node('Concat', [g.node('Neg', [second]), first], { axis: 3 });
  return g.node('Add', [g.node('Mul', [x, rope.cos]), g.node('Mul', [rotated, rope.sin])]);
}

interface AttentionInputs {
  q: string;
  key: string;
  value: string;
  mask: string;
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * Grouped-query attention without repeating K and V: q [b, H, s, d] is viewed as
 * [b, kvH, (H/kvH)*s, d] (query head h reads KV head floor(h / (H/kvH))), multiplied by the
 * cache, viewed back as [b, H, s, T] for the mask and softmax. Returns [b, H, s, d].
 */
function groupedAttention(g: GraphBuilder, inputs: AttentionInputs): string {
  const { heads, kvHeads, headDim } = inputs;
  const grouped = g.node('Reshape', [inputs.q, g.int64([0, kvHeads, -1, headDim])]);
  const keyT = g.node('Transpose', [inputs.key], { perm: [0, 1, 3, 2] });
  const scores = g.node('Mul', [
    g.node('MatMul', [grouped, keyT]),
    g.float([1 / Math.sqrt(headDim)], []),
  ]);
  const perHead = g.node('Reshape', [scores, g.int64([0, heads, -1, 0])]);
  const weights = g.node('Softmax', [g.node('Add', [perHead, inputs.mask])], { axis: -1 });
  const regrouped = g.node('Reshape', [weights, g.int64([0, kvHeads, -1, 0])]);
  const context = g.node('MatMul', [regrouped, inputs.value]);
  return g.node('Reshape', [context, g.int64([0, heads, -1, 0])]);
}
