// Decides whether a code cell's table of records can be drawn as lines.

/** One record of a code cell's output table. */
export type Row = Record<string, unknown>;

/**
 * The columns of `rows` when it can be drawn: at least two rows, two to eight columns, every
 * value a finite number and the first column strictly increasing; null otherwise.
 */
export function numericColumns(rows: readonly Row[]): string[] | null {
  const columns = Object.keys(rows[0] ?? {});
  if (rows.length < 2 || columns.length < 2 || columns.length > 8) return null;
  const numeric = rows.every((row) =>
    columns.every((c) => typeof row[c] === 'number' && Number.isFinite(row[c])),
  );
  if (!numeric) return null;
  const xs = rows.map((row) => row[columns[0] ?? ''] as number);
  return xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? x)) ? columns : null;
}
