// mlx-lm and mistral.rs servers: OpenAI-style /v1/models and /health, no metrics endpoint.

import type { EngineHttp } from './http.ts';
import { answers, bridgeContext, getJson, isRecord, text } from './read.ts';
import type { JsonRecord } from './read.ts';
import { emptyModel, emptySnapshot } from './types.ts';
import type { EngineSnapshot } from './types.ts';

/** The model entries of an OpenAI-style `/v1/models` answer (`{data: [...]}`). */
export function openAiModels(document: unknown): JsonRecord[] {
  return isRecord(document) && Array.isArray(document.data) ? document.data.filter(isRecord) : [];
}

/**
 * Reads an mlx-lm (`mlx_lm.server`) or mistral.rs server: the models of `/v1/models` (mistral.rs
 * marks each with a `status`; only `loaded` ones count there) and whether `/health` answers.
 * Neither exposes memory or request metrics over HTTP (cluster.md §2.6, §2.7).
 */
export async function readOpenAiCompatible(
  engine: 'mlx-lm' | 'mistral.rs',
  http: EngineHttp,
  baseUrl: string,
  now: () => number,
): Promise<EngineSnapshot> {
  const ctx = bridgeContext(http, baseUrl);
  const snapshot = emptySnapshot(engine, ctx.baseUrl, now());

  const models = openAiModels(await getJson(ctx, '/v1/models'));
  await answers(ctx, '/health');

  snapshot.models = models.flatMap((model) => {
    const name = text(model.id);
    const status = text(model.status);
    if (!name || (status !== null && status !== 'loaded')) return [];
    return [emptyModel(name)];
  });
  snapshot.reachable = ctx.answered.size > 0;
  snapshot.warnings = ctx.warnings;
  return snapshot;
}
