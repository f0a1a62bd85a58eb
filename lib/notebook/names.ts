// Which names a notebook may bind (plan-cell names, code-cell exports) and why others are refused.

/**
 * Names the app itself provides to code cells (`hw`, the capacity API; `display`, for outputs).
 * A cell that bound them would hide the app's own.
 */
export const APP_NAMES: ReadonlySet<string> = new Set(['hw', 'display']);

/** Words JavaScript reserves: keywords, literals, strict-mode and future reserved words. */
const RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export ' +
    'extends false finally for function if import in instanceof new null return super switch ' +
    'this throw true try typeof var void while with yield let static implements interface ' +
    'package private protected public arguments eval'
  ).split(' '),
);

/**
 * Globals of the code-cell sandbox (standard built-ins and the worker's own) that a notebook
 * name bound on the global object would replace, breaking every cell and the capacity API.
 */
const BUILT_IN_GLOBALS: ReadonlySet<string> = new Set(
  (
    'globalThis self undefined NaN Infinity Object Function Array Number String Boolean Symbol ' +
    'BigInt Date RegExp Error AggregateError EvalError RangeError ReferenceError SyntaxError ' +
    'TypeError URIError JSON Math Intl Reflect Proxy Promise Map Set WeakMap WeakSet WeakRef ' +
    'FinalizationRegistry ArrayBuffer SharedArrayBuffer DataView Atomics Int8Array Uint8Array ' +
    'Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array ' +
    'BigInt64Array BigUint64Array Iterator parseInt parseFloat isNaN isFinite encodeURI ' +
    'encodeURIComponent decodeURI decodeURIComponent escape unescape console setTimeout ' +
    'clearTimeout setInterval clearInterval queueMicrotask structuredClone postMessage close ' +
    'fetch importScripts location navigator performance crypto URL Blob TextEncoder TextDecoder ' +
    'addEventListener removeEventListener dispatchEvent onmessage onerror name origin ' +
    'WebAssembly'
  ).split(' '),
);

/** Properties every JavaScript object has; as names they reach into prototypes. */
const OBJECT_PROPERTIES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/** What a notebook name may be, for messages. */
export const NAME_RULE =
  'a JavaScript identifier (letters, digits, _ or $, not starting with a digit) that is not a ' +
  'reserved word, a JavaScript built-in or one of hw and display';

/** The shape of a JavaScript identifier (ASCII only, as the form accepts). */
export const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Why `name` cannot name a plan cell or a code-cell export, or null when it can. Such a name is
 * bound on the sandbox's global object for the cells below, so it must be an identifier that
 * replaces nothing JavaScript, the sandbox or the app relies on.
 */
export function nameProblem(name: string): string | null {
  if (!IDENTIFIER.test(name)) return `"${name}" is not a JavaScript identifier`;
  if (RESERVED_WORDS.has(name)) return `"${name}" is a JavaScript reserved word`;
  if (OBJECT_PROPERTIES.has(name)) return `"${name}" is a property every JavaScript object has`;
  if (BUILT_IN_GLOBALS.has(name)) return `"${name}" is a JavaScript built-in`;
  if (APP_NAMES.has(name)) return `"${name}" is reserved by hwLedger`;
  return null;
}
