// Per-layer sliding windows from the ways configs state them (one window, layer_types, flags).

import { readAttentionLayerTypes, slidingWindowIgnored } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { WindowPlan } from './llama.ts';

/** Layer count of a plan; callers pass the `num_hidden_layers` they read. */
interface LayerCount {
  layers: number;
}

function allLayers(layers: number, window: number | null): (number | null)[] {
  return new Array<number | null>(layers).fill(window);
}

/**
 * Windows from `layer_types` when present (sliding layers take `sliding_window`, which must
 * then be stated), else `sliding_window` on every layer (Mistral-7B-v0.1: 4096 on all 32), else
 * full attention.
 */
export function uniformOrTypedWindows(config: ConfigReader, sizes: LayerCount): WindowPlan {
  const window = config.optInt('sliding_window');
  const kinds = readAttentionLayerTypes(config, sizes.layers);
  if (kinds === null) return { windows: allLayers(sizes.layers, window), warnings: [] };

  if (kinds.includes('sliding') && window === null) {
    config.contradiction(
      ['layer_types', 'sliding_window'],
      'layer_types has sliding layers but no window size is given',
      'a positive sliding_window when layer_types has sliding_attention',
    );
  }
  return { windows: kinds.map((kind) => (kind === 'sliding' ? window : null)), warnings: [] };
}

/**
 * Qwen2/Qwen3 windows. `sliding_window` applies only when `use_sliding_window` is true, and then
 * (as transformers' Qwen2Config builds `layer_types`) to layers from `max_window_layers` on.
 * Qwen2.5 ships `sliding_window` 131072 with the flag false: full attention, with a warning.
 */
export function qwenWindows(config: ConfigReader, sizes: LayerCount): WindowPlan {
  const window = config.optInt('sliding_window');
  const enabled = config.boolOr('use_sliding_window', false);

  if (!enabled) {
    const warnings =
      window === null ? [] : [slidingWindowIgnored(config, window, 'use_sliding_window is false')];
    return { windows: allLayers(sizes.layers, null), warnings };
  }

  if (window === null) {
    config.contradiction(
      ['use_sliding_window', 'sliding_window'],
      'sliding windows are enabled but no window size is given',
      'a positive sliding_window when use_sliding_window is true',
    );
  }

  const kinds = readAttentionLayerTypes(config, sizes.layers);
  if (kinds !== null) {
    return { windows: kinds.map((kind) => (kind === 'sliding' ? window : null)), warnings: [] };
  }

  const firstSliding = config.intOr('max_window_layers', sizes.layers, { min: 0 });
  const windows = allLayers(sizes.layers, null).map((_, index) =>
    index >= firstSliding ? window : null,
  );
  return { windows, warnings: [] };
}

/** Full attention everywhere, warning when the config states a window that engines ignore. */
export function ignoredWindow(config: ConfigReader, sizes: LayerCount, reason: string): WindowPlan {
  const window = config.optInt('sliding_window');
  const warnings = window === null ? [] : [slidingWindowIgnored(config, window, reason)];
  return { windows: allLayers(sizes.layers, null), warnings };
}
