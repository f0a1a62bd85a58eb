// The live memory chart: what the machine uses over time, and the planner's prediction line.
'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';

import type { TelemetryFrame } from '../../../agent/protocol.ts';
import { UPlotChart } from '../../_components/UPlotChart.tsx';
import { memorySeries } from './fleet-data.ts';

/** Draws memory in use and the prediction, in GiB, over the last frames. */
export function TelemetryChart({ frames }: { frames: readonly TelemetryFrame[] }) {
  const series = useMemo(() => memorySeries(frames), [frames]);

  const options = useMemo(
    (): Omit<uPlot.Options, 'width' | 'height'> => ({
      scales: { x: { time: false } },
      axes: [{ label: 'seconds' }, { label: 'GiB' }],
      series: [
        { label: 's' },
        { label: series.label, stroke: '#2563eb', width: 2 },
        { label: 'predicted (GiB)', stroke: '#dc2626', dash: [6, 4], width: 2 },
      ],
    }),
    [series.label],
  );
  const data = useMemo(
    (): uPlot.AlignedData => [series.seconds, series.usedGiB, series.predictedGiB],
    [series],
  );

  return (
    <section data-testid="fleet-chart" data-points={series.seconds.length}>
      <h2>Memory over time</h2>
      <UPlotChart options={options} data={data} height={260} label={`${series.label} over time`} />
      <p className="fleet-note">
        {series.hasPrediction
          ? 'Dashed: what hwLedger predicts for the models the engines hold.'
          : 'No prediction line: no engine holds a catalogue model the planner can size.'}
      </p>
    </section>
  );
}
