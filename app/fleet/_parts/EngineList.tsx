// The engines an agent found, with their models, KV use, requests and speed.
'use client';

import type { EngineSnapshot } from '../../../agent/engines/types.ts';
import type { ModelPrediction } from '../../../agent/protocol.ts';
import { formatBytes, formatInt, formatRate } from '../../_lib/format.ts';

function kvText(engine: EngineSnapshot): string {
  if (engine.kvUsageRatio === null) return '—';
  const tokens =
    engine.kvUsedTokens !== null && engine.kvCapacityTokens !== null
      ? ` (${formatInt(engine.kvUsedTokens)} of ${formatInt(engine.kvCapacityTokens)} tokens)`
      : '';
  return `${(engine.kvUsageRatio * 100).toFixed(1)} %${tokens}`;
}

/** Lists each engine and, per model, what it holds next to what the planner predicts. */
export function EngineList({
  engines,
  predictions,
}: {
  engines: readonly EngineSnapshot[];
  predictions: readonly ModelPrediction[];
}) {
  return (
    <section data-testid="fleet-engines">
      <h2>Engines</h2>
      {engines.length === 0 ? (
        <p>No engine answers on this machine's usual ports.</p>
      ) : (
        <table className="fleet-table">
          <thead>
            <tr>
              <th>engine</th>
              <th>model</th>
              <th>context</th>
              <th>held</th>
              <th>predicted</th>
              <th>KV in use</th>
              <th>running / waiting</th>
              <th>tokens/s</th>
            </tr>
          </thead>
          <tbody>
            {engines.flatMap((engine) =>
              (engine.models.length > 0 ? engine.models : [null]).map((model, index) => {
                const prediction = predictions.find(
                  (p) => p.engineBaseUrl === engine.baseUrl && p.model === model?.name,
                );
                return (
                  <tr key={`${engine.baseUrl}-${index}`} data-testid="fleet-engine">
                    <td>
                      {engine.engine} {engine.version ?? ''}{' '}
                      {engine.reachable ? '' : '(not answering)'}
                    </td>
                    <td>{model?.name ?? 'no model loaded'}</td>
                    <td>{formatInt(model?.contextTokens)}</td>
                    <td>{formatBytes(model?.totalBytes)}</td>
                    <td>{formatBytes(prediction?.totalBytes)}</td>
                    <td>{kvText(engine)}</td>
                    <td>
                      {formatInt(engine.requestsRunning)} / {formatInt(engine.requestsWaiting)}
                    </td>
                    <td>{formatRate(engine.generationTokensPerSecond)}</td>
                  </tr>
                );
              }),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
