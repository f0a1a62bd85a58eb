// The agent's view of its machine over time: probes, finds and reads engines, predicts memory.

import type { EngineTarget } from './engines/discover.ts';
import { withRates } from './engines/rates.ts';
import type { EngineSnapshot } from './engines/types.ts';
import type { Logger } from './log.ts';
import type { ModelPrediction, TelemetryFrame } from './protocol.ts';
import type { DeviceInventory } from './probes/types.ts';

/** What a monitor is built from; each part is replaceable in tests. */
export interface MonitorParts {
  probe: () => Promise<DeviceInventory>;
  discover: () => Promise<EngineTarget[]>;
  read: (target: EngineTarget) => Promise<EngineSnapshot>;
  /** Predictions for the models the engines hold (an empty list when none can be made). */
  predict: (engines: readonly EngineSnapshot[], inventory: DeviceInventory) => ModelPrediction[];
  now: () => number;
  logger: Logger;
  /** Samples between two searches for engines (a search costs a few requests per port). */
  rediscoverEvery?: number;
}

/** A source of telemetry frames. */
export interface Monitor {
  /** One fresh frame: probe, read engines (searching again every few samples), predict. */
  sample(): Promise<TelemetryFrame>;
}

const DEFAULT_REDISCOVER_EVERY = 10;

/**
 * A monitor that keeps the last reading of each engine so that token rates come from counter
 * growth between samples, and searches for engines on the first sample and every
 * `rediscoverEvery` samples after. A failing probe or engine never rejects `sample`.
 */
export function createMonitor(parts: MonitorParts): Monitor {
  const every = parts.rediscoverEvery ?? DEFAULT_REDISCOVER_EVERY;
  const previous = new Map<string, EngineSnapshot>();
  let targets: EngineTarget[] = [];
  let samples = 0;

  const readAll = async (): Promise<EngineSnapshot[]> => {
    if (samples % every === 0) {
      targets = await parts.discover().catch((error: unknown) => {
        parts.logger.warn('engine search failed', { error: String(error) });
        return targets;
      });
      parts.logger.debug('engines found', { count: targets.length });
    }
    samples += 1;

    const read = await Promise.all(targets.map((target) => parts.read(target)));
    return read.map((snapshot) => {
      const rated = withRates(previous.get(snapshot.baseUrl) ?? null, snapshot);
      previous.set(snapshot.baseUrl, snapshot);
      return rated;
    });
  };

  return {
    sample: async () => {
      const [inventory, engines] = await Promise.all([parts.probe(), readAll()]);
      let predictions: ModelPrediction[] = [];
      try {
        predictions = parts.predict(engines, inventory);
      } catch (error) {
        parts.logger.debug('prediction failed', { error: String(error) });
      }
      return { capturedAtMs: parts.now(), inventory, engines, predictions };
    },
  };
}
