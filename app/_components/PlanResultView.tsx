// Shows a plan cell's result: fit verdict, key numbers, per-device fits, memory parts, charts.
'use client';

import type { DeviceFit } from '../../lib/capacity/index.ts';
import type { PlanCellData } from '../../workers/plan-types.ts';
import {
  formatBytes,
  formatCount,
  formatInt,
  formatRate,
  formatTokens,
  formatUsd,
} from '../_lib/format.ts';
import { PlanCharts } from './PlanCharts.tsx';

type PlanOk = Extract<PlanCellData, { ok: true }>;

function Stat({
  label,
  value,
  testId,
  raw,
}: {
  label: string;
  value: string;
  testId: string;
  raw: number | null;
}) {
  return (
    <div className="stat">
      <span className="label">{label}</span>
      <span className="value" data-testid={testId} data-raw={raw ?? ''}>
        {value}
      </span>
    </div>
  );
}

/** Largest context as text: tokens and, when the model's own limit set it, a note. */
export function maxContextText(fit: DeviceFit): string {
  if (!fit.maxContext) return 'none fits';
  const tokens = formatTokens(fit.maxContext.tokens);
  if (fit.maxContext.limitedBy === 'model') return `${tokens} (model limit)`;
  return fit.maxContext.limitedBy === 'search_limit' ? `${tokens}+ (memory stops growing)` : tokens;
}

function Verdict({ fit, modelName }: { fit: DeviceFit; modelName: string }) {
  if (fit.refusal !== null) {
    return (
      <p className="verdict no-fit" data-testid="plan-verdict">
        Does not start: {modelName} on {fit.gpus} × {fit.name}. {fit.refusal}
      </p>
    );
  }
  return (
    <p className={fit.fits ? 'verdict fits' : 'verdict no-fit'} data-testid="plan-verdict">
      {fit.fits ? 'Fits' : 'Does not fit'}: {modelName} on {fit.gpus} × {fit.name} needs{' '}
      {formatBytes(fit.perDeviceBytes)} per device of {formatBytes(fit.budgetBytesPerDevice)} the
      engine may use ({fit.fits ? 'margin' : 'short by'} {formatBytes(Math.abs(fit.marginBytes))}).
    </p>
  );
}

/** Most sequences as text, naming vLLM's --max-num-seqs when that cap, not memory, set it. */
function concurrencyText(fit: DeviceFit): string {
  const count = formatInt(fit.maxConcurrency);
  return fit.maxConcurrencyLimitedBy === 'max_num_seqs' ? `${count} (--max-num-seqs)` : count;
}

function FitTable({ fits }: { fits: DeviceFit[] }) {
  return (
    <table className="grid" data-testid="plan-fits">
      <caption>Per device type</caption>
      <thead>
        <tr>
          <th>device</th>
          <th>count</th>
          <th>usable each</th>
          <th>engine budget</th>
          <th>needed each</th>
          <th>fits</th>
          <th>largest context</th>
          <th>max sequences</th>
          <th>decode tok/s per sequence</th>
          <th>decode tok/s all sequences</th>
          <th>prefill tok/s</th>
          <th>US$ per hour (all)</th>
          <th>US$ per M generated tokens (decode only)</th>
        </tr>
      </thead>
      <tbody>
        {fits.map((fit) => (
          <tr key={fit.device} data-device={fit.device}>
            <th>{fit.name}</th>
            <td className="num">{fit.gpus}</td>
            <td className="num">{formatBytes(fit.usableBytesPerDevice)}</td>
            <td className="num">{formatBytes(fit.budgetBytesPerDevice)}</td>
            <td className="num">{formatBytes(fit.perDeviceBytes)}</td>
            <td>{fit.fits ? 'yes' : 'no'}</td>
            <td className="num">{maxContextText(fit)}</td>
            <td className="num">{concurrencyText(fit)}</td>
            <td className="num">{fit.fits ? formatRate(fit.speed.decodeTokensPerSecond) : '—'}</td>
            <td className="num">
              {fit.fits ? formatRate(fit.speed.decodeTokensPerSecondTotal) : '—'}
            </td>
            <td className="num">{fit.fits ? formatRate(fit.speed.prefillTokensPerSecond) : '—'}</td>
            <td className="num">{fit.cost ? formatUsd(fit.cost.perHourUsd) : '—'}</td>
            <td className="num">
              {fit.cost && fit.fits ? formatUsd(fit.cost.perMillionTokensUsd) : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function PartsTable({ data }: { data: PlanOk }) {
  return (
    <table className="grid parts" data-testid="plan-parts">
      <caption>Memory on the busiest device, by part</caption>
      <thead>
        <tr>
          <th>part</th>
          <th>bytes</th>
          <th>size</th>
          <th>where</th>
          <th>how known</th>
          <th>source</th>
        </tr>
      </thead>
      <tbody>
        {data.result.memory.parts.map((part, i) => (
          <tr key={`${part.name}-${i}`} data-part={part.name}>
            <td>{part.name}</td>
            <td className="num">{formatInt(part.bytes)}</td>
            <td className="num">{formatBytes(part.bytes)}</td>
            <td>{part.onDevice ? 'device' : 'host'}</td>
            <td>{part.provenance}</td>
            <td className="source">{part.source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The result of a plan cell. */
export function PlanResultView({ data }: { data: PlanOk }) {
  const r = data.result;
  const main = r.fit[0];
  return (
    <div className="plan-result">
      {main ? <Verdict fit={main} modelName={r.model.name} /> : null}
      <div className="stats">
        {[
          ['total memory', r.memory.totalBytes, 'plan-total-bytes'] as const,
          ['per device', r.memory.perDeviceBytes, 'plan-per-device-bytes'] as const,
          ['weights (whole model)', r.memory.weightsBytes, 'plan-weights-bytes'] as const,
          ['KV cache (all devices)', r.memory.kvBytes, 'plan-kv-bytes'] as const,
          ['KV per token', r.kv.bytesPerToken, 'plan-kv-per-token'] as const,
        ].map(([label, bytes, testId]) => (
          <Stat key={testId} label={label} value={formatBytes(bytes)} testId={testId} raw={bytes} />
        ))}
        {[
          ['parameters (resident)', r.params.total, 'plan-params-total'] as const,
          ['active per token', r.params.active, 'plan-params-active'] as const,
        ].map(([label, count, testId]) => (
          <Stat key={testId} label={label} value={formatCount(count)} testId={testId} raw={count} />
        ))}
        {main ? (
          <Stat
            label="largest context"
            value={maxContextText(main)}
            testId="plan-max-context"
            raw={main.maxContext?.tokens ?? null}
          />
        ) : null}
        {main ? (
          <Stat
            label="decode tok/s per sequence"
            value={main.fits ? formatRate(main.speed.decodeTokensPerSecond) : '— (does not fit)'}
            testId="plan-decode"
            raw={main.fits ? main.speed.decodeTokensPerSecond : null}
          />
        ) : null}
      </div>
      <FitTable fits={r.fit} />
      <PartsTable data={data} />
      {r.warnings.length > 0 ? (
        <ul className="warnings">
          {r.warnings.map((w, i) => (
            <li key={`${w.code}-${i}`} data-code={w.code}>
              {w.message}
            </li>
          ))}
        </ul>
      ) : null}
      <PlanCharts data={data} />
    </div>
  );
}
