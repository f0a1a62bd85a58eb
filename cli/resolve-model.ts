// Turns the `--model` argument into a ModelSpec: a catalogue name first, then files and hubs.

import { catalogueSpec, findCatalogueModel } from '../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../lib/capacity/errors.ts';
import type { ModelSpec } from '../lib/capacity/spec.ts';
import { loadModelSpec } from '../lib/sources/index.ts';

/** Where hub ids are fetched from, and the token for gated repositories. */
export interface ResolveOptions {
  hubBaseUrl: string;
  /** A Hugging Face token (from HF_TOKEN); sent only as a header, never printed. */
  token?: string;
}

function inCatalogue(ref: string): boolean {
  try {
    findCatalogueModel(ref);
    return true;
  } catch (error) {
    if (error instanceof CapacityError) return false;
    throw error;
  }
}

/**
 * Resolves `ref` to a spec: a catalogue id or alias, else a config.json, folder, .gguf or
 * .safetensors path, URL or hub id read through `loadModelSpec` (headers only).
 */
export async function resolveModel(ref: string, options: ResolveOptions): Promise<ModelSpec> {
  const looksLikeName = !ref.includes('/') && !ref.includes('.') && !ref.includes('\\');
  if (inCatalogue(ref) || looksLikeName) return catalogueSpec(ref);
  return loadModelSpec(ref, {
    hubBase: options.hubBaseUrl,
    ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
  });
}
