// A forgiving reader of Prometheus text exposition: samples by name, garbage lines skipped.

/** One sample: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** Samples by metric name (histogram parts keep their `_sum`/`_count`/`_bucket` names). */
export type Metrics = Map<string, Sample[]>;

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseValue(text: string): number | null {
  if (text === '+Inf' || text === '-Inf' || text === 'NaN') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * Parses Prometheus text format (version 0.0.4): `name{label="v",...} value [timestamp]`.
 * Comments, blank lines, malformed lines and non-finite values are skipped, so a half-broken
 * scrape still yields what it can.
 */
export function parsePrometheus(text: string): Metrics {
  const metrics: Metrics = new Map();

  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match?.[1] || !match[4]) continue;
    const value = parseValue(match[4]);
    if (value === null) continue;

    const labels: Record<string, string> = {};
    for (const label of (match[3] ?? '').matchAll(LABEL)) {
      if (label[1] !== undefined && label[2] !== undefined) labels[label[1]] = label[2];
    }

    const samples = metrics.get(match[1]) ?? [];
    samples.push({ labels, value });
    metrics.set(match[1], samples);
  }

  return metrics;
}

/**
 * The sum over all samples of the first of `names` present (engines rename metrics between
 * versions: pass the newest name first). Null when none is present.
 */
export function metricSum(metrics: Metrics, names: readonly string[]): number | null {
  for (const name of names) {
    const samples = metrics.get(name);
    if (samples && samples.length > 0) return samples.reduce((sum, s) => sum + s.value, 0);
  }
  return null;
}

/** The mean over all samples of the first of `names` present, or null. */
export function metricMean(metrics: Metrics, names: readonly string[]): number | null {
  for (const name of names) {
    const samples = metrics.get(name);
    if (samples && samples.length > 0) {
      return samples.reduce((sum, s) => sum + s.value, 0) / samples.length;
    }
  }
  return null;
}

/** The labels of the first sample of `name`, or null. */
export function metricLabels(metrics: Metrics, name: string): Record<string, string> | null {
  return metrics.get(name)?.[0]?.labels ?? null;
}
