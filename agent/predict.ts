// What lib/capacity predicts for the models local engines hold, to draw beside what they use.

import { findCatalogueModel, catalogueSpec } from '../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../lib/capacity/errors.ts';
import { plan } from '../lib/capacity/plan.ts';
import type { EngineName } from '../lib/capacity/profiles/types.ts';
import type { EngineKind, EngineModel, EngineSnapshot } from './engines/types.ts';
import type { ModelPrediction } from './protocol.ts';
import type { DeviceInventory } from './probes/types.ts';

/** The capacity profile that models each engine kind; engines without one get no prediction. */
const PROFILE_OF: Partial<Record<EngineKind, EngineName>> = {
  'llama.cpp': 'llama.cpp',
  ollama: 'ollama',
  vllm: 'vllm',
};

/**
 * Names a served model may be catalogued under: as served, without its organisation
 * (`Qwen/Qwen2.5-7B-Instruct` -> `Qwen2.5-7B-Instruct`), without an Ollama tag (`:latest`).
 */
export function catalogueNames(served: string): string[] {
  const bare = served.split('/').pop() ?? served;
  const untagged = bare.replace(/:latest$/i, '');
  return [...new Set([served, bare, untagged])];
}

function catalogueId(served: string): string | null {
  for (const name of catalogueNames(served)) {
    try {
      return findCatalogueModel(name).id;
    } catch (error) {
      if (!(error instanceof CapacityError)) throw error;
    }
  }
  return null;
}

function predictOne(
  snapshot: EngineSnapshot,
  model: EngineModel,
  device: string | null,
): ModelPrediction | null {
  const engine = PROFILE_OF[snapshot.engine];
  const id = catalogueId(model.name);
  if (!engine || !id || model.contextTokens === null) return null;

  try {
    const result = plan({
      model: catalogueSpec(id),
      engine,
      contextTokens: model.contextTokens,
      batch: snapshot.parallelSequences ?? 1,
      ...(model.quantization ? { weights: model.quantization } : {}),
      ...(device ? { devices: [device] } : {}),
    });
    return {
      engineBaseUrl: snapshot.baseUrl,
      model: model.name,
      catalogueModel: id,
      contextTokens: model.contextTokens,
      totalBytes: result.memory.perDeviceBytes,
      weightsBytes: result.memory.weightsBytes,
      kvBytes: result.memory.kvBytes,
    };
  } catch (error) {
    if (error instanceof CapacityError) return null;
    throw error;
  }
}

/**
 * Predictions for every model the engines hold whose name is in the model catalogue, whose
 * engine has a memory profile, and whose context the engine reports: the planner's bytes on
 * the busiest device (the first probed GPU's catalogue row where there is one) at that context
 * and the engine's parallel sequences.
 */
export function predictEngineModels(
  engines: readonly EngineSnapshot[],
  inventory: DeviceInventory,
): ModelPrediction[] {
  const device = inventory.devices.find((entry) => entry.catalogueId !== null)?.catalogueId ?? null;
  return engines.flatMap((snapshot) =>
    snapshot.models.flatMap((model) => predictOne(snapshot, model, device) ?? []),
  );
}
