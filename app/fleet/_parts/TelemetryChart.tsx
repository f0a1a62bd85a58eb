// The live memory chart: what the machine uses over time, and the planner's prediction line.
'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';

import type { TelemetryFrame } from '../../../agent/protocol.ts';
import { UPlotChart } from '../../_components/UPlotChart.tsx';
import { memorySeries } from './fleet-data.ts';
import { formatAxisValue, memoryAxis } from './memory-axis.ts';

/** Pixels kept for the y-axis labels (`1536.00 GiB` at the chart's font). */
const Y_AXIS_PX = 84;

function scaled(values: readonly (number | null)[], bytesPerUnit: number): (number | null)[] {
  return values.map((bytes) => (bytes === null ? null : bytes / bytesPerUnit));
}

/**
 * Draws memory in use and the prediction over the last frames, on a y-axis whose unit, range
 * and ticks come from `memoryAxis` (uPlot's own ticks repeat labels on small ranges).
 */
export function TelemetryChart({ frames }: { frames: readonly TelemetryFrame[] }) {
  const series = useMemo(() => memorySeries(frames), [frames]);
  const axis = useMemo(() => memoryAxis([...series.usedBytes, ...series.predictedBytes]), [series]);

  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      scales: { x: { time: false }, y: { range: () => [axis.min, axis.max] } },
      axes: [
        { label: 'seconds' },
        {
          label: axis.unit,
          size: Y_AXIS_PX,
          splits: () => axis.ticks,
          values: (_plot, splits) => splits.map((value) => formatAxisValue(value, axis)),
        },
      ],
      series: [
        { label: 's' },
        { label: `${series.label} (${axis.unit})`, stroke: '#2563eb', width: 2 },
        { label: `predicted (${axis.unit})`, stroke: '#dc2626', dash: [6, 4], width: 2 },
      ],
    }),
    [axis, series.label],
  );
  const data = useMemo(
    (): uPlot.AlignedData => [
      series.seconds,
      scaled(series.usedBytes, axis.bytesPerUnit),
      scaled(series.predictedBytes, axis.bytesPerUnit),
    ],
    [series, axis],
  );

  return (
    <section
      data-testid="fleet-chart"
      data-points={series.seconds.length}
      data-y-labels={axis.labels.join(' | ')}
    >
      <h2>Memory over time</h2>
      <UPlotChart
        options={options}
        data={data}
        height={260}
        label={`${series.label} over time, ${axis.labels[0] ?? ''} to ${axis.labels.at(-1) ?? ''}`}
      />
      <p className="fleet-note">
        {series.hasPrediction
          ? 'Dashed: what hwLedger predicts for the models the engines hold.'
          : 'No prediction line: no engine holds a catalogue model the planner can size.'}
      </p>
    </section>
  );
}
