// Hugging Face TGI: /info (model, context and KV token budget) and /metrics (batch and queue).

import type { EngineHttp } from './http.ts';
import { metricSum } from './prometheus.ts';
import { bridgeContext, count, getJson, getMetrics, isRecord, text } from './read.ts';
import { emptyModel, emptySnapshot } from './types.ts';
import type { EngineSnapshot } from './types.ts';

/** Whether an `/info` answer is TGI's: a model id plus its token limits. */
export function looksLikeTgiInfo(info: unknown): boolean {
  return (
    isRecord(info) &&
    typeof info.model_id === 'string' &&
    ('max_total_tokens' in info || 'max_input_tokens' in info || 'max_input_length' in info)
  );
}

/**
 * Reads TGI. `/info`: `model_id`, `max_total_tokens` (context per request),
 * `max_batch_total_tokens` (the KV token budget TGI computed), `max_concurrent_requests`.
 * `/metrics`: `tgi_batch_current_size` (running), `tgi_queue_size` (waiting),
 * `tgi_batch_current_max_tokens` (tokens the running batch reserves, hence KV use), and the
 * `_sum` of the generated-token and input-length histograms as counters (cluster.md §2.5).
 */
export async function readTgi(
  http: EngineHttp,
  baseUrl: string,
  now: () => number,
): Promise<EngineSnapshot> {
  const ctx = bridgeContext(http, baseUrl);
  const snapshot = emptySnapshot('tgi', ctx.baseUrl, now());

  const info = await getJson(ctx, '/info');
  const metrics = await getMetrics(ctx, '/metrics');

  if (isRecord(info)) {
    const name = text(info.model_id);
    const context = count(ctx, info.max_total_tokens, '/info', 'max_total_tokens');
    if (name) snapshot.models = [{ ...emptyModel(name), contextTokens: context }];
    snapshot.version = text(info.version);
    snapshot.kvCapacityTokens = count(
      ctx,
      info.max_batch_total_tokens,
      '/info',
      'max_batch_total_tokens',
    );
    snapshot.parallelSequences = count(
      ctx,
      info.max_concurrent_requests,
      '/info',
      'max_concurrent_requests',
    );
  }

  if (metrics) {
    const sum = (names: string[]) => metricSum(metrics, names);
    snapshot.requestsRunning = count(
      ctx,
      sum(['tgi_batch_current_size']),
      '/metrics',
      'tgi_batch_current_size',
    );
    snapshot.requestsWaiting = count(ctx, sum(['tgi_queue_size']), '/metrics', 'tgi_queue_size');
    snapshot.kvUsedTokens = count(
      ctx,
      sum(['tgi_batch_current_max_tokens']),
      '/metrics',
      'tgi_batch_current_max_tokens',
    );
    snapshot.generatedTokensTotal = count(
      ctx,
      sum(['tgi_request_generated_tokens_sum']),
      '/metrics',
      'tgi_request_generated_tokens_sum',
    );
    snapshot.promptTokensTotal = count(
      ctx,
      sum(['tgi_request_input_length_sum']),
      '/metrics',
      'tgi_request_input_length_sum',
    );
  }

  if (snapshot.kvUsedTokens !== null && snapshot.kvCapacityTokens) {
    snapshot.kvUsageRatio = Math.min(1, snapshot.kvUsedTokens / snapshot.kvCapacityTokens);
  }

  snapshot.reachable = ctx.answered.size > 0;
  snapshot.warnings = ctx.warnings;
  return snapshot;
}
