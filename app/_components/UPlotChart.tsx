// A uPlot chart in a React component: created on mount, rebuilt when its data or options change.
'use client';

import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * uPlot's script, fetched the first time a chart mounts rather than with the page, so a
 * notebook's first numbers do not wait for it.
 */
let library: Promise<typeof uPlot> | null = null;
function loadUPlot(): Promise<typeof uPlot> {
  library ??= import('uplot').then((module) => module.default);
  return library;
}

/** Chart options, or a function building them with the library (for uPlot's path builders). */
export type ChartOptionsInput =
  | Omit<uPlot.Options, 'width' | 'height'>
  | ((lib: typeof uPlot) => Omit<uPlot.Options, 'width' | 'height'>);

/** Draws `data` with uPlot `options` (width follows the container; height is given). */
export function UPlotChart({
  options,
  data,
  height,
  label,
}: {
  options: ChartOptionsInput;
  data: uPlot.AlignedData;
  height: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    let plot: uPlot | null = null;
    let observer: ResizeObserver | null = null;
    let live = true;
    void loadUPlot()
      .then((UPlot) => {
        if (!live) return;
        const width = Math.max(320, element.clientWidth);
        const resolved = typeof options === 'function' ? options(UPlot) : options;
        const drawn = new UPlot({ ...resolved, width, height }, data, element);
        plot = drawn;
        observer = new ResizeObserver(() => {
          drawn.setSize({ width: Math.max(320, element.clientWidth), height });
        });
        observer.observe(element);
      })
      .catch(() => {
        if (live) element.textContent = `${label}: the chart could not be drawn.`;
      });
    return () => {
      live = false;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [options, data, height, label]);

  return <div className="chart" ref={box} role="img" aria-label={label} />;
}
