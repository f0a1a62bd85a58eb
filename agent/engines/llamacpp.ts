// llama.cpp's llama-server: /props (context, slots, build), /slots (per-slot state), /metrics.

import type { EngineHttp } from './http.ts';
import { metricSum } from './prometheus.ts';
import type { BridgeContext, JsonRecord } from './read.ts';
import {
  amount,
  bridgeContext,
  count,
  getJson,
  getMetrics,
  isRecord,
  ratio,
  text,
} from './read.ts';
import { emptyModel, emptySnapshot } from './types.ts';
import type { EngineSnapshot } from './types.ts';

/** Whether a `/props` answer is llama-server's (its generation settings or slot count). */
export function looksLikeLlamaCppProps(props: unknown): boolean {
  return (
    isRecord(props) &&
    (isRecord(props.default_generation_settings) || 'total_slots' in props || 'build_info' in props)
  );
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Sums over slots: context cells, busy slots, and tokens held (prompt plus decoded). */
function readSlots(ctx: BridgeContext, slots: unknown) {
  if (!Array.isArray(slots)) return null;
  const records = slots.filter(isRecord);
  let contextTokens = 0;
  let busy = 0;
  let heldTokens: number | null = null;

  for (const slot of records) {
    contextTokens += count(ctx, slot.n_ctx, '/slots', 'n_ctx') ?? 0;
    if (slot.is_processing === true) busy += 1;
    const prompt = count(ctx, slot.n_prompt_tokens, '/slots', 'n_prompt_tokens');
    const next = isRecord(slot.next_token) ? slot.next_token : {};
    const decoded = count(ctx, next.n_decoded, '/slots', 'next_token.n_decoded');
    if (prompt !== null) heldTokens = (heldTokens ?? 0) + prompt + (decoded ?? 0);
  }

  return { slots: records.length, contextTokens, busy, heldTokens };
}

/**
 * Reads a llama-server. Context per sequence and slot count from `/props`; busy slots from
 * `/slots`; counters and gauges from `/metrics` (needs `--metrics`). KV usage comes from the
 * old `llamacpp:kv_cache_usage_ratio` / `kv_cache_tokens` where a build still emits them
 * (removed in PR #13660), else from the slots: tokens held / total cells (cluster.md §2.2).
 */
export async function readLlamaCpp(
  http: EngineHttp,
  baseUrl: string,
  now: () => number,
): Promise<EngineSnapshot> {
  const ctx = bridgeContext(http, baseUrl);
  const snapshot = emptySnapshot('llama.cpp', ctx.baseUrl, now());

  const propsJson = await getJson(ctx, '/props');
  const props: JsonRecord = isRecord(propsJson) ? propsJson : {};
  const settings = isRecord(props.default_generation_settings)
    ? props.default_generation_settings
    : {};
  const slots = readSlots(ctx, await getJson(ctx, '/slots'));
  const metrics = await getMetrics(ctx, '/metrics');

  const contextTokens = count(ctx, settings.n_ctx ?? props.n_ctx, '/props', 'n_ctx');
  const parallel = count(ctx, props.total_slots, '/props', 'total_slots') ?? slots?.slots ?? null;
  const modelPath = text(props.model_path);
  if (modelPath) snapshot.models = [{ ...emptyModel(basename(modelPath)), contextTokens }];

  snapshot.version = text(props.build_info);
  snapshot.parallelSequences = parallel;
  snapshot.kvCapacityTokens =
    slots && slots.contextTokens > 0
      ? slots.contextTokens
      : contextTokens !== null && parallel !== null
        ? contextTokens * parallel
        : null;

  if (metrics) {
    const m = (names: string[]) => metricSum(metrics, names);
    snapshot.requestsRunning = count(
      ctx,
      m(['llamacpp:requests_processing']),
      '/metrics',
      'requests_processing',
    );
    snapshot.requestsWaiting = count(
      ctx,
      m(['llamacpp:requests_deferred']),
      '/metrics',
      'requests_deferred',
    );
    snapshot.promptTokensTotal = count(
      ctx,
      m(['llamacpp:prompt_tokens_total']),
      '/metrics',
      'prompt_tokens_total',
    );
    snapshot.generatedTokensTotal = count(
      ctx,
      m(['llamacpp:tokens_predicted_total']),
      '/metrics',
      'tokens_predicted_total',
    );
    snapshot.generationTokensPerSecond = amount(
      ctx,
      m(['llamacpp:predicted_tokens_seconds']),
      '/metrics',
      'predicted_tokens_seconds',
    );
    snapshot.promptTokensPerSecond = amount(
      ctx,
      m(['llamacpp:prompt_tokens_seconds']),
      '/metrics',
      'prompt_tokens_seconds',
    );
    snapshot.kvUsageRatio = ratio(
      ctx,
      m(['llamacpp:kv_cache_usage_ratio']),
      '/metrics',
      'kv_cache_usage_ratio',
    );
    snapshot.kvUsedTokens = count(
      ctx,
      m(['llamacpp:kv_cache_tokens']),
      '/metrics',
      'kv_cache_tokens',
    );
  }

  snapshot.requestsRunning ??= slots?.busy ?? null;
  if (snapshot.kvUsedTokens === null && slots?.heldTokens != null) {
    snapshot.kvUsedTokens = slots.heldTokens;
  }
  if (
    snapshot.kvUsageRatio === null &&
    snapshot.kvUsedTokens !== null &&
    snapshot.kvCapacityTokens
  ) {
    snapshot.kvUsageRatio = Math.min(1, snapshot.kvUsedTokens / snapshot.kvCapacityTokens);
  }

  snapshot.reachable = ctx.answered.size > 0;
  snapshot.warnings = ctx.warnings;
  return snapshot;
}
