// Draws a code cell's numeric table as lines: the first column on x, every other column a line.
'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { Row } from '../_lib/series.ts';
import { UPlotChart } from './UPlotChart.tsx';

const COLOURS = ['#3b6fd8', '#e07b39', '#3aa76d', '#b04fc2', '#d4b034', '#6b7280', '#c2414b'];

/** A line chart of a numeric table; x is drawn on a log-2 scale when it spans 16x or more. */
export function SeriesChart({ rows, columns }: { rows: readonly Row[]; columns: string[] }) {
  const { options, data } = useMemo(() => {
    const [xName = '', ...yNames] = columns;
    const xs = rows.map((row) => row[xName] as number);
    const first = xs[0] ?? 1;
    const last = xs.at(-1) ?? 1;
    const logX = first > 0 && last / first >= 16;
    const opts: Omit<uPlot.Options, 'width' | 'height'> = {
      scales: { x: logX ? { time: false, distr: 3, log: 2 } : { time: false } },
      axes: [{ label: xName }, {}],
      series: [
        { label: xName },
        ...yNames.map((name, k) => ({
          label: name,
          stroke: COLOURS[k % COLOURS.length] ?? '#888',
          width: 2,
        })),
      ],
    };
    const series = [xs, ...yNames.map((name) => rows.map((row) => row[name] as number))];
    return { options: opts, data: series as uPlot.AlignedData };
  }, [rows, columns]);
  return <UPlotChart options={options} data={data} height={240} label="chart of the table above" />;
}
