// Plan-cell charts: stacked memory per device, memory against context, largest context table.
'use client';

import { useMemo } from 'react';
import type uPlot from 'uplot';
import type { MaxContextEntry, PlanCellData } from '../../workers/plan-types.ts';
import { byteAxisUnit, formatTokens, type ByteAxisUnit } from '../_lib/format.ts';
import { UPlotChart } from './UPlotChart.tsx';

type PlanOk = Extract<PlanCellData, { ok: true }>;
type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

const PART_COLOURS = ['#3b6fd8', '#e07b39', '#3aa76d', '#b04fc2', '#d4b034', '#6b7280', '#c2414b'];
const LIMIT_COLOURS = ['#c2414b', '#7c3aed', '#0f766e', '#a16207', '#be185d'];

const LIMIT_LINE_COLOUR = '#6b7280';

/** `bytes` in the axis unit, or null (a gap in the line) when not a finite number. */
function inUnit(bytes: number | null | undefined, unit: ByteAxisUnit): number | null {
  return typeof bytes === 'number' && Number.isFinite(bytes) ? bytes / unit.bytesPerUnit : null;
}

/** The axis unit for the largest finite value of `values`. */
function unitFor(values: readonly (number | null | undefined)[]): ByteAxisUnit {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return byteAxisUnit(Math.max(0, ...finite));
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
    const unit = unitFor([...cumulative, ...fits.map((fit) => fit.budgetBytesPerDevice)]);
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
      title: `Memory on the busiest device (${unit.unit}), stacked by part; dot: what the engine may use`,
      scales: {
        x: { time: false, range: [-0.5, Math.max(0.5, xs.length - 0.5)] },
        y: { range: (_u, _min, max) => [0, max * 1.1] },
      },
      axes: [
        {
          values: (_u, ticks) =>
            ticks.map((t) => (Number.isInteger(t) ? (fits[t]?.name ?? '') : '')),
        },
        { label: unit.unit },
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
    const stacks = cumulative.map((bytes) => xs.map(() => inUnit(bytes, unit))).reverse();
    const budget = fits.map((fit) => inUnit(fit.budgetBytesPerDevice, unit));
    return { options: opts, series: [xs, ...stacks, budget] as uPlot.AlignedData };
  }, [data]);
  return (
    <UPlotChart options={options} data={series} height={260} label="Memory per device by part" />
  );
}

/** Draws a dashed vertical line at the model's context limit, labelled at its top. */
function limitLine(limitTokens: number) {
  return (u: uPlot) => {
    const x = u.valToPos(limitTokens, 'x', true);
    const { top, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = LIMIT_LINE_COLOUR;
    ctx.fillStyle = LIMIT_LINE_COLOUR;
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.font = `${12 * devicePixelRatio}px sans-serif`;
    ctx.textAlign = 'right';
    ctx.fillText(
      `model limit ${formatTokens(limitTokens)}`,
      x - 4 * devicePixelRatio,
      top + 14 * devicePixelRatio,
    );
    ctx.restore();
  };
}

/** The chart's title: what is drawn, in which unit, and up to which context. */
function contextTitle(unit: ByteAxisUnit, limitTokens: number | undefined): string {
  const base = `Memory per device (${unit.unit}) against context length`;
  if (limitTokens === undefined) return base;
  return `${base}, up to the model's limit of ${formatTokens(limitTokens)} tokens (dashed line)`;
}

/**
 * Lines: memory per device against context, with each device type's budget drawn across, up
 * to the model's own context limit (a plan above it is drawn beyond the dashed limit line).
 */
function ContextChart({ data }: { data: PlanOk }) {
  const { options, series } = useMemo(() => {
    const xs = data.sweep.contextTokens;
    const fits = data.result.fit;
    const limitTokens = data.sweep.modelLimitTokens;
    const unit = unitFor([
      ...data.sweep.perDeviceBytes,
      ...fits.map((fit) => fit.budgetBytesPerDevice),
    ]);
    const opts: ChartOptions = {
      title: contextTitle(unit, limitTokens),
      scales: {
        x: { time: false, distr: 3, log: 2 },
        y: { range: (_u, _min, max) => [0, max * 1.1] },
      },
      axes: [{ values: (_u, ticks) => ticks.map((t) => formatTokens(t)) }, { label: unit.unit }],
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
      ...(limitTokens === undefined ? {} : { hooks: { draw: [limitLine(limitTokens)] } }),
    };
    const rows = [
      xs,
      data.sweep.perDeviceBytes.map((bytes) => inUnit(bytes, unit)),
      xs.map((tokens, i) =>
        tokens === data.result.settings.contextTokens
          ? inUnit(data.sweep.perDeviceBytes[i], unit)
          : null,
      ),
      ...fits.map((fit) => xs.map(() => inUnit(fit.budgetBytesPerDevice, unit))),
    ];
    return { options: opts, series: rows as uPlot.AlignedData };
  }, [data]);
  return (
    <div
      data-testid="context-chart"
      data-max-tokens={Math.max(...data.sweep.contextTokens)}
      data-model-limit-tokens={data.sweep.modelLimitTokens ?? ''}
    >
      <UPlotChart options={options} data={series} height={260} label="Memory against context" />
    </div>
  );
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
      <caption>
        Largest context that fits (tokens per sequence), per weight format{' '}
        {data.result.settings.engine.engine} loads
      </caption>
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
