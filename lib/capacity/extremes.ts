// Largest and smallest of a list by a loop, safe for lists of any length.
//
// `Math.max(...values)` passes every element as an argument and overflows the call stack once a
// list holds more than about a hundred thousand numbers (per-layer or per-tensor lists of a big
// or malformed model can); these loops cost no stack.

/** The largest of `values`, or `floor` when the list is empty or every value is below it. */
export function maxOf(values: Iterable<number>, floor = -Infinity): number {
  let largest = floor;
  for (const value of values) {
    if (value > largest) largest = value;
  }
  return largest;
}

/** The smallest of `values`, or `ceiling` when the list is empty or every value is above it. */
export function minOf(values: Iterable<number>, ceiling = Infinity): number {
  let smallest = ceiling;
  for (const value of values) {
    if (value < smallest) smallest = value;
  }
  return smallest;
}
