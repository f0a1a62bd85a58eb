// vLLM's OpenAI server: /metrics (requests, KV usage and capacity, token counters), /v1/models.

import type { EngineHttp } from './http.ts';
import { metricLabels, metricMean, metricSum } from './prometheus.ts';
import { bridgeContext, count, getJson, getMetrics, isRecord, ratio, text } from './read.ts';
import { emptyModel, emptySnapshot } from './types.ts';
import type { EngineSnapshot } from './types.ts';

/**
 * Reads vLLM. `/metrics`: requests running and waiting; KV usage from `vllm:kv_cache_usage_perc`
 * (a fraction despite its name) or, before 0.9.2, `vllm:gpu_cache_usage_perc`; KV capacity as
 * `num_gpu_blocks x block_size` from `vllm:cache_config_info`'s labels; prompt and generated
 * token counters (`_total` names, or the bare names of older exporters). `/v1/models` gives the
 * served model and its `max_model_len` (cluster.md §2.3).
 */
export async function readVllm(
  http: EngineHttp,
  baseUrl: string,
  now: () => number,
): Promise<EngineSnapshot> {
  const ctx = bridgeContext(http, baseUrl);
  const snapshot = emptySnapshot('vllm', ctx.baseUrl, now());

  const metrics = await getMetrics(ctx, '/metrics');
  const models = await getJson(ctx, '/v1/models');
  const version = await getJson(ctx, '/version');

  if (metrics) {
    const sum = (names: string[]) => metricSum(metrics, names);
    snapshot.requestsRunning = count(
      ctx,
      sum(['vllm:num_requests_running']),
      '/metrics',
      'num_requests_running',
    );
    snapshot.requestsWaiting = count(
      ctx,
      sum(['vllm:num_requests_waiting']),
      '/metrics',
      'num_requests_waiting',
    );
    snapshot.kvUsageRatio = ratio(
      ctx,
      metricMean(metrics, ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc']),
      '/metrics',
      'kv_cache_usage_perc',
    );
    snapshot.promptTokensTotal = count(
      ctx,
      sum(['vllm:prompt_tokens_total', 'vllm:prompt_tokens']),
      '/metrics',
      'prompt_tokens',
    );
    snapshot.generatedTokensTotal = count(
      ctx,
      sum(['vllm:generation_tokens_total', 'vllm:generation_tokens']),
      '/metrics',
      'generation_tokens',
    );

    const cache = metricLabels(metrics, 'vllm:cache_config_info') ?? {};
    const blocks = count(ctx, cache.num_gpu_blocks, '/metrics', 'num_gpu_blocks');
    const blockTokens = count(ctx, cache.block_size, '/metrics', 'block_size');
    snapshot.kvCapacityTokens =
      blocks !== null && blockTokens !== null ? blocks * blockTokens : null;
    if (snapshot.kvCapacityTokens !== null && snapshot.kvUsageRatio !== null) {
      snapshot.kvUsedTokens = Math.round(snapshot.kvUsageRatio * snapshot.kvCapacityTokens);
    }

    const labelled = metricLabels(metrics, 'vllm:num_requests_running')?.model_name;
    if (labelled) snapshot.models = [emptyModel(labelled)];
  }

  const served = isRecord(models) && Array.isArray(models.data) ? models.data.filter(isRecord) : [];
  if (served.length > 0) {
    snapshot.models = served.flatMap((model) => {
      const name = text(model.id);
      if (!name) return [];
      return [
        {
          ...emptyModel(name),
          contextTokens: count(ctx, model.max_model_len, '/v1/models', 'max_model_len'),
        },
      ];
    });
  }

  snapshot.version = isRecord(version) ? text(version.version) : null;
  snapshot.reachable = ctx.answered.size > 0;
  snapshot.warnings = ctx.warnings;
  return snapshot;
}
