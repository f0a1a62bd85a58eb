// Plan-cell charts: stacked memory per device, memory against context, largest context table.
'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { MaxContextEntry, PlanCellData } from '../../workers/plan-types.ts';
import { formatTokens } from '../_lib/format.ts';
import { UPlotChart } from './UPlotChart.tsx';

type PlanOk = Extract<PlanCellData, { ok: true }>;
type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

const GIB = 2 ** 30;
const PART_COLOURS = ['#3b6fd8', '#e07b39', '#3aa76d', '#b04fc2', '#d4b034', '#6b7280', '#c2414b'];
const LIMIT_COLOURS = ['#c2414b', '#7c3aed', '#0f766e', '#a16207', '#be185d'];

function gib(bytes: number | null | undefined): number | null {
  return typeof bytes === 'number' && Number.isFinite(bytes) ? bytes / GIB : null;
}

function colour(list: readonly string[], k: number): string {
  return list[k % list.length] ?? '#888';
}

/** Stacked bars: one per device type, the busiest device's parts, and the engine's budget. */
function BreakdownChart({ data }: { data: PlanOk }) {
  const { options, series } = useMemo(() => {
    const fits = data.result.fit;
    const parts = data.result.memory.parts.filter((part) => part.onDevice && part.bytes > 0);
    const xs = fits.map((_, i) => i);
    const cumulative = parts.map((_, k) =>
      parts.slice(0, k + 1).reduce((sum, part) => sum + part.bytes, 0),
    );
    const partSeries = (lib: typeof uPlot) => {
      const bars = lib.paths.bars?.({ size: [0.5, 90] });
      return parts.map((part, k) => ({
        label: part.name,
        fill: colour(PART_COLOURS, k),
        stroke: colour(PART_COLOURS, k),
        ...(bars ? { paths: bars } : {}),
        points: { show: false },
      }));
    };
    const opts = (lib: typeof uPlot): ChartOptions => ({
      title: 'Memory on the busiest device (GiB), stacked by part; dot: what the engine may use',
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, max * 1.1] },
      },
      axes: [
        {
          values: (_u, ticks) =>
            ticks.map((t) => (Number.isInteger(t) ? (fits[t]?.name ?? '') : '')),
        },
        { label: 'GiB' },
      ],
      series: [
        { label: 'device' },
        ...partSeries(lib).reverse(),
        {
          label: 'engine budget',
          stroke: '#111',
          width: 0,
          points: { show: true, size: 12, fill: '#111' },
        },
      ],
    });
    const stacks = cumulative.map((bytes) => xs.map(() => gib(bytes))).reverse();
    const budget = fits.map((fit) => gib(fit.budgetBytesPerDevice));
    return { options: opts, series: [xs, ...stacks, budget] as uPlot.AlignedData };
  }, [data]);
  return (
    <UPlotChart options={options} data={series} height={260} label="Memory per device by part" />
  );
}

/** Lines: memory per device against context, with each device type's budget drawn across. */
function ContextChart({ data }: { data: PlanOk }) {
  const { options, series } = useMemo(() => {
    const xs = data.sweep.contextTokens;
    const fits = data.result.fit;
    const opts: ChartOptions = {
      title: 'Memory per device (GiB) against context length',
      scales: {
        x: { time: false, distr: 3, log: 2 },
        y: { range: (_u, _min, max) => [0, max * 1.1] },
      },
      axes: [{ values: (_u, ticks) => ticks.map((t) => formatTokens(t)) }, { label: 'GiB' }],
      series: [
        { label: 'context tokens', value: (_u, v) => formatTokens(v) },
        { label: `${data.result.model.name} per device`, stroke: '#3b6fd8', width: 2 },
        {
          label: 'this plan',
          stroke: '#111',
          width: 0,
          points: { show: true, size: 10, fill: '#111' },
        },
        ...fits.map((fit, k) => ({
          label: `${fit.name} budget`,
          stroke: colour(LIMIT_COLOURS, k),
          dash: [6, 4],
          width: 1.5,
          points: { show: false },
        })),
      ],
    };
    const rows = [
      xs,
      data.sweep.perDeviceBytes.map(gib),
      xs.map((tokens, i) =>
        tokens === data.result.settings.contextTokens ? gib(data.sweep.perDeviceBytes[i]) : null,
      ),
      ...fits.map((fit) => xs.map(() => gib(fit.budgetBytesPerDevice))),
    ];
    return { options: opts, series: rows as uPlot.AlignedData };
  }, [data]);
  return <UPlotChart options={options} data={series} height={260} label="Memory against context" />;
}

function entryText(entry: MaxContextEntry | undefined): string {
  if (!entry) return '—';
  if (entry.tokens === null) return entry.reason === 'unsupported' ? 'n/a' : 'does not fit';
  const tokens = formatTokens(entry.tokens);
  if (entry.limitedBy === 'model') return `${tokens} (model limit)`;
  return entry.limitedBy === 'search_limit' ? `${tokens}+ (memory stops growing)` : tokens;
}

/** Table: the largest context that fits, per device type and weight scheme. */
function MaxContextTable({ data }: { data: PlanOk }) {
  const table = data.maxContext;
  return (
    <table className="grid" data-testid="max-context-table">
      <caption>Largest context that fits (tokens per sequence)</caption>
      <thead>
        <tr>
          <th>device</th>
          {table.schemes.map((scheme) => (
            <th key={scheme}>{scheme}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((row) => (
          <tr key={row.deviceId}>
            <th>{row.label}</th>
            {table.schemes.map((scheme, i) => (
              <td key={scheme} className="num">
                {entryText(row.entries[i])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The three comparison views of a plan cell. */
export function PlanCharts({ data }: { data: PlanOk }) {
  return (
    <div className="charts">
      <BreakdownChart data={data} />
      <ContextChart data={data} />
      <MaxContextTable data={data} />
    </div>
  );
}
