// A uPlot chart in a React component: created on mount, rebuilt when its data or options change.
'use client';

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Draws `data` with uPlot `options` (width follows the container; height is given). */
export function UPlotChart({
  options,
  data,
  height,
  label,
}: {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const width = Math.max(320, element.clientWidth);
    const plot = new uPlot({ ...options, width, height }, data, element);
    const observer = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(320, element.clientWidth), height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data, height]);

  return <div className="chart" ref={box} role="img" aria-label={label} />;
}
