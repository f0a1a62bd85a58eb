// Reads the shared real-config fixtures (../shared/fixtures/configs) when that folder exists.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, two folders above this file. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the shared hub configs and their TRUTH.json live, beside the repository. */
export const SHARED_CONFIGS = resolve(REPO_ROOT, '../shared/fixtures/configs');

/** One model's entry of TRUTH.json (counts as published and as computed independently). */
export interface TruthEntry {
  model_type: string;
  params_total?: number;
  params_total_exact?: boolean;
  params_active_published?: number;
  params_total_computed?: number;
  params_active_computed_incl_embeddings?: number;
  kv_bytes_per_token_f16?: number;
}

/**
 * The hub config.json text of `file` as published when the shared fixtures are present, else
 * `fallback` (the catalogue's copy of the same published values), so the tests always run.
 */
export function sharedConfigOr(file: string, fallback: unknown): unknown {
  const path = resolve(SHARED_CONFIGS, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : fallback;
}

/** TRUTH.json's entry for `file`, or null when the shared fixtures are absent. */
export function sharedTruth(file: string): TruthEntry | null {
  const path = resolve(SHARED_CONFIGS, 'TRUTH.json');
  if (!existsSync(path)) return null;
  const truth = JSON.parse(readFileSync(path, 'utf8')) as Record<string, TruthEntry>;
  return truth[file] ?? null;
}
