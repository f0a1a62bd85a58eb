// Ollama: /api/ps (loaded models and their memory), /api/tags (sizes on disk), /api/show.

import type { EngineHttp } from './http.ts';
import type { BridgeContext, JsonRecord } from './read.ts';
import { bridgeContext, count, getJson, isRecord, text } from './read.ts';
import { emptyModel, emptySnapshot } from './types.ts';
import type { EngineModel, EngineSnapshot } from './types.ts';

/** Most loaded models `/api/show` is asked about per read. */
const MAX_SHOWN_MODELS = 4;

function modelList(document: unknown): JsonRecord[] {
  return isRecord(document) && Array.isArray(document.models)
    ? document.models.filter(isRecord)
    : [];
}

async function showModel(ctx: BridgeContext, name: string) {
  const shown = await getJson(ctx, '/api/show', { model: name });
  const info = isRecord(shown) && isRecord(shown.model_info) ? shown.model_info : {};
  return {
    architecture: text(info['general.architecture']),
    parameterCount: count(ctx, info['general.parameter_count'], '/api/show', 'parameter_count'),
  };
}

/**
 * Reads Ollama. Each model in `/api/ps` gives `size` (bytes resident: weights, KV cache and
 * graph), `size_vram` (bytes of it on the GPU) and `context_length`; its size on disk from
 * `/api/tags` stands for the weights (a GGUF is mapped whole); `/api/show` adds architecture
 * and parameter count. Ollama has no request or KV-usage metrics (cluster.md §2.1).
 */
export async function readOllama(
  http: EngineHttp,
  baseUrl: string,
  now: () => number,
): Promise<EngineSnapshot> {
  const ctx = bridgeContext(http, baseUrl);
  const snapshot = emptySnapshot('ollama', ctx.baseUrl, now());

  const version = await getJson(ctx, '/api/version');
  const loaded = modelList(await getJson(ctx, '/api/ps'));
  const tags = modelList(loaded.length > 0 ? await getJson(ctx, '/api/tags') : null);
  const diskBytes = new Map(
    tags.map((tag) => [text(tag.name) ?? '', count(ctx, tag.size, '/api/tags', 'size')]),
  );

  const models: EngineModel[] = [];
  for (const [position, entry] of loaded.entries()) {
    const name = text(entry.name) ?? text(entry.model);
    if (!name) continue;
    const details = isRecord(entry.details) ? entry.details : {};
    const shown =
      position < MAX_SHOWN_MODELS
        ? await showModel(ctx, name)
        : { architecture: null, parameterCount: null };

    models.push({
      ...emptyModel(name),
      contextTokens: count(ctx, entry.context_length, '/api/ps', 'context_length'),
      weightsBytes: diskBytes.get(name) ?? null,
      totalBytes: count(ctx, entry.size, '/api/ps', 'size'),
      deviceBytes: count(ctx, entry.size_vram, '/api/ps', 'size_vram'),
      quantization: text(details.quantization_level),
      architecture: shown.architecture ?? text(details.family),
      parameterCount: shown.parameterCount,
    });
  }

  snapshot.version = isRecord(version) ? text(version.version) : null;
  snapshot.models = models;
  snapshot.reachable = ctx.answered.size > 0;
  snapshot.warnings = ctx.warnings;
  return snapshot;
}
