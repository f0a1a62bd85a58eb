// The memory chart's y-axis: one binary unit, a range and ticks whose labels never repeat.

/** Binary units the axis may use, largest first. */
export type MemoryUnit = 'GiB' | 'MiB' | 'KiB' | 'B';

const UNIT_BYTES: readonly (readonly [MemoryUnit, number])[] = [
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', 2 ** 10],
  ['B', 1],
];

/** Roughly how many intervals the axis is split into (the nice step makes it 2.5 to 5). */
const TARGET_INTERVALS = 5;

/**
 * Least span of the axis in its unit: a flat line at 8 GiB shows 7.94-8.06 GiB rather than
 * ticks a few bytes apart. Bytes are whole, so that unit needs a span of whole steps.
 */
function minimumSpan(unit: MemoryUnit): number {
  return unit === 'B' ? 10 : 0.1;
}

/** A y-axis for memory: the range and ticks in `unit`, and each tick's label. */
export interface MemoryAxis {
  unit: MemoryUnit;
  /** Bytes in one `unit`: divide byte values by it to plot them. */
  bytesPerUnit: number;
  /** Bottom and top of the axis, in `unit`. */
  min: number;
  max: number;
  /** Tick positions in `unit`, ascending, one step apart. */
  ticks: number[];
  /** Digits after the point every label has, enough to tell ticks apart. */
  decimals: number;
  /** One label per tick (`7.96 GiB`), all distinct. */
  labels: string[];
}

function unitFor(peakBytes: number): readonly [MemoryUnit, number] {
  const fallback = UNIT_BYTES[UNIT_BYTES.length - 1] ?? ['B', 1];
  return UNIT_BYTES.find(([, bytes]) => peakBytes >= bytes) ?? fallback;
}

/**
 * The smallest step of the form {1, 2, 5} x 10^k (k an integer) that is at least `rawStep`;
 * k tells how many decimals a label needs (none when k >= 0).
 */
function niceStep(rawStep: number, unit: MemoryUnit): { step: number; exponent: number } {
  let exponent = Math.floor(Math.log10(rawStep));
  const fraction = rawStep / 10 ** exponent;
  let mantissa = [1, 2, 5].find((candidate) => fraction <= candidate * (1 + 1e-9));
  if (mantissa === undefined) {
    mantissa = 1;
    exponent += 1;
  }
  if (unit === 'B' && exponent < 0) return { step: 1, exponent: 0 };
  return { step: mantissa * 10 ** exponent, exponent };
}

/** `value` (in the axis unit) as a tick label with the axis's decimals and unit. */
export function formatAxisValue(value: number, axis: Pick<MemoryAxis, 'decimals' | 'unit'>) {
  return `${value.toFixed(axis.decimals)} ${axis.unit}`;
}

/**
 * The y-axis for memory values in bytes (nulls and non-finite values ignored): the unit is
 * the largest binary unit not above the peak; the span is at least `minimumSpan` units around
 * the data (never below zero); ticks sit on multiples of a 1-2-5 step, and labels carry as many
 * decimals as the step has, so two ticks never read the same.
 */
export function memoryAxis(valuesBytes: readonly (number | null)[]): MemoryAxis {
  const finite = valuesBytes.filter(
    (value): value is number => value !== null && Number.isFinite(value) && value >= 0,
  );
  const peak = finite.length > 0 ? Math.max(...finite) : 2 ** 30;
  const [unit, bytesPerUnit] = unitFor(peak);

  let low = finite.length > 0 ? Math.min(...finite) / bytesPerUnit : 0;
  let high = peak / bytesPerUnit;
  const span = minimumSpan(unit);
  if (high - low < span) {
    const middle = (low + high) / 2;
    low = Math.max(0, middle - span / 2);
    high = low + span;
  }

  const { step, exponent } = niceStep((high - low) / TARGET_INTERVALS, unit);
  const decimals = Math.max(0, -exponent);
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const ticks = Array.from({ length: last - first + 1 }, (_, index) =>
    Number(((first + index) * step).toFixed(decimals)),
  );

  return {
    unit,
    bytesPerUnit,
    min: ticks[0] ?? 0,
    max: ticks[ticks.length - 1] ?? span,
    ticks,
    decimals,
    labels: ticks.map((tick) => formatAxisValue(tick, { decimals, unit })),
  };
}
