// Shows a code cell's outputs: scalars inline, records as tables (and charts), the rest as JSON.
'use client';

import type { CellOutput } from '../../workers/sandbox/protocol.ts';
import { outputJson, scalarText } from '../_lib/output-text.ts';
import { numericColumns } from '../_lib/series.ts';
import { SeriesChart } from './SeriesChart.tsx';

type Row = Record<string, unknown>;

function isRecordList(value: unknown): value is Row[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= 500 &&
    value.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))
  );
}

function Value({ value }: { value: unknown }) {
  if (isRecordList(value)) {
    const columns = [...new Set(value.flatMap((row) => Object.keys(row)))].slice(0, 20);
    const chartColumns = numericColumns(value);
    return (
      <>
        <table className="grid">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {value.map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c} className={typeof row[c] === 'number' ? 'num' : undefined}>
                    {scalarText(row[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {chartColumns ? <SeriesChart rows={value} columns={chartColumns} /> : null}
      </>
    );
  }
  if (typeof value === 'object' && value !== null) {
    return <pre className="json">{outputJson(value).slice(0, 20_000)}</pre>;
  }
  return <span className="scalar">{scalarText(value)}</span>;
}

/** The outputs of a code cell, each with its export name or display label. */
export function OutputView({ outputs }: { outputs: CellOutput[] }) {
  if (outputs.length === 0) return <p className="muted">No exports or displays.</p>;
  return (
    <div className="outputs">
      {outputs.map((output, i) => (
        <div className="output" key={i} data-testid="code-output" data-label={output.label ?? ''}>
          {output.label ? <span className="output-label">{output.label} = </span> : null}
          <Value value={output.value} />
        </div>
      ))}
    </div>
  );
}
