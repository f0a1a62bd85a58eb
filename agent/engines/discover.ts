// Finds engines on their usual loopback ports, tells them apart, and reads each into a snapshot.

import type { EngineHttp } from './http.ts';
import { looksLikeLlamaCppProps, readLlamaCpp } from './llamacpp.ts';
import { readOllama } from './ollama.ts';
import { openAiModels, readOpenAiCompatible } from './openai-compat.ts';
import { isRecord } from './read.ts';
import { looksLikeTgiInfo, readTgi } from './tgi.ts';
import type { EngineKind, EngineSnapshot } from './types.ts';
import { readVllm } from './vllm.ts';

/** An engine to read: its kind and base URL. */
export interface EngineTarget {
  engine: EngineKind;
  baseUrl: string;
}

/** A port to look at and the engines that use it by default, most likely first. */
export interface PortCandidates {
  port: number;
  engines: readonly EngineKind[];
}

/**
 * Default ports: llama-server and mlx_lm.server 8080 (TGI's Docker examples map 8080 too),
 * Ollama 11434, vLLM 8000, TGI's launcher 3000, mistral.rs 1234 (its `serve` default).
 */
export const DEFAULT_ENGINE_PORTS: readonly PortCandidates[] = [
  { port: 8080, engines: ['llama.cpp', 'tgi', 'mistral.rs', 'mlx-lm'] },
  { port: 11434, engines: ['ollama'] },
  { port: 8000, engines: ['vllm'] },
  { port: 3000, engines: ['tgi'] },
  { port: 1234, engines: ['mistral.rs'] },
];

async function json(http: EngineHttp, url: string): Promise<unknown> {
  const result = await http.get(url);
  if (!result.ok) return null;
  try {
    return JSON.parse(result.text) as unknown;
  } catch {
    return null;
  }
}

/** Whether the server at `baseUrl` answers like `engine` does (one or two cheap GETs). */
export async function looksLike(
  http: EngineHttp,
  baseUrl: string,
  engine: EngineKind,
): Promise<boolean> {
  switch (engine) {
    case 'llama.cpp':
      return looksLikeLlamaCppProps(await json(http, `${baseUrl}/props`));
    case 'ollama': {
      const version = await json(http, `${baseUrl}/api/version`);
      return isRecord(version) && typeof version.version === 'string';
    }
    case 'vllm': {
      const models = openAiModels(await json(http, `${baseUrl}/v1/models`));
      if (models.some((model) => model.owned_by === 'vllm')) return true;
      const metrics = await http.get(`${baseUrl}/metrics`);
      return metrics.ok && metrics.text.includes('vllm:');
    }
    case 'tgi':
      return looksLikeTgiInfo(await json(http, `${baseUrl}/info`));
    case 'mistral.rs': {
      const models = openAiModels(await json(http, `${baseUrl}/v1/models`));
      return models.some((model) => 'status' in model || model.owned_by === 'local');
    }
    case 'mlx-lm': {
      const health = await json(http, `${baseUrl}/health`);
      const models = await json(http, `${baseUrl}/v1/models`);
      return isRecord(health) && health.status === 'ok' && isRecord(models);
    }
  }
}

/**
 * The engine answering at `baseUrl`, trying `candidates` in order; null when nothing answers or
 * nothing answers like a known engine.
 */
export async function identifyEngine(
  http: EngineHttp,
  baseUrl: string,
  candidates: readonly EngineKind[],
): Promise<EngineKind | null> {
  for (const engine of candidates) {
    if (await looksLike(http, baseUrl, engine)) return engine;
  }
  return null;
}

/**
 * Engines on `host` (loopback by default) at the given ports: each port is checked for its
 * candidate engines in parallel with the other ports.
 */
export async function discoverEngines(
  http: EngineHttp,
  options: { host?: string; ports?: readonly PortCandidates[] } = {},
): Promise<EngineTarget[]> {
  const host = options.host ?? '127.0.0.1';
  const ports = options.ports ?? DEFAULT_ENGINE_PORTS;

  const found = await Promise.all(
    ports.map(async ({ port, engines }) => {
      const baseUrl = `http://${host}:${port}`;
      const engine = await identifyEngine(http, baseUrl, engines);
      return engine === null ? null : { engine, baseUrl };
    }),
  );
  return found.filter((target): target is EngineTarget => target !== null);
}

/** Reads one engine into a snapshot with its own bridge. Never throws. */
export async function readEngine(
  http: EngineHttp,
  target: EngineTarget,
  now: () => number,
): Promise<EngineSnapshot> {
  switch (target.engine) {
    case 'llama.cpp':
      return readLlamaCpp(http, target.baseUrl, now);
    case 'ollama':
      return readOllama(http, target.baseUrl, now);
    case 'vllm':
      return readVllm(http, target.baseUrl, now);
    case 'tgi':
      return readTgi(http, target.baseUrl, now);
    case 'mlx-lm':
    case 'mistral.rs':
      return readOpenAiCompatible(target.engine, http, target.baseUrl, now);
  }
}
