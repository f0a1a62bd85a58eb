// Where the CLI writes, injected so tests can capture it, and its user-facing error type.

/** Sinks for standard output and standard error. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** A usage or input problem the CLI reports as one line, without a stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Pads cells into aligned columns; numbers right-aligned, text left-aligned. */
export function table(rows: readonly (readonly string[])[], rightAligned: readonly boolean[]) {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, column) => {
      widths[column] = Math.max(widths[column] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, column) => {
          const width = widths[column] ?? cell.length;
          return rightAligned[column] ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
