// `hwledger models` and `hwledger devices`: the built-in catalogues as a table or JSON.

import { MODEL_CATALOGUE, catalogueSpec } from '../lib/capacity/catalogue/models.ts';
import { DEVICE_CATALOGUE } from '../lib/capacity/devices/catalogue.ts';
import { countParams } from '../lib/capacity/params.ts';
import { formatBytes, formatParams } from '../lib/format/bytes.ts';
import { table } from './output.ts';
import type { Output } from './output.ts';

/**
 * Prints the model catalogue with counted (not labelled) parameters. "Active" is what one
 * token multiplies plus the input embedding it looks up, as `countParams` counts it; the JSON
 * also gives the count without the embedding.
 */
export function listModels(options: { json?: boolean }, output: Output): void {
  const rows = MODEL_CATALOGUE.map((model) => {
    const spec = catalogueSpec(model.id);
    const params = countParams(spec);
    return {
      id: model.id,
      aliases: model.aliases,
      modelType: spec.modelType,
      layers: spec.layers.length,
      paramsTotal: params.total,
      paramsActive: params.active,
      paramsActiveExcludingEmbeddings: params.activeExcludingEmbeddings,
      maxPositionTokens: spec.maxPositionTokens,
    };
  });
  if (options.json) {
    output.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const cells = [['id', 'aliases', 'type', 'layers', 'total', 'active incl. embedding', 'context']];
  for (const row of rows) {
    cells.push([
      row.id,
      row.aliases.join(', '),
      row.modelType,
      String(row.layers),
      formatParams(row.paramsTotal),
      formatParams(row.paramsActive),
      row.maxPositionTokens === null ? '-' : String(row.maxPositionTokens),
    ]);
  }
  output.out(`${table(cells, [false, false, false, true, true, true, true])}\n`);
}

/** Prints the device catalogue with memory, bandwidth and FP16 rate. */
export function listDevices(options: { json?: boolean }, output: Output): void {
  if (options.json) {
    output.out(`${JSON.stringify(DEVICE_CATALOGUE, null, 2)}\n`);
    return;
  }
  const cells = [['id', 'name', 'memory', 'usable', 'GB/s', 'FP16 TFLOPS']];
  for (const device of DEVICE_CATALOGUE) {
    cells.push([
      device.id,
      device.name,
      formatBytes(device.memoryBytes),
      `${Math.round(device.usableMemoryShare * 100)}%`,
      String(device.bandwidthGBs),
      String(device.fp16Tflops),
    ]);
  }
  output.out(`${table(cells, [false, false, true, true, true, true])}\n`);
}
